"""Small learnable projections that give student features a teacher shape."""
from typing import Optional

import torch
import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class LinearConnector(BaseModule):
    """Project the last dimension of a feature with a linear layer.

    Suits pooled features ``(N, C)`` and token features ``(N, L, C)``.

    Args:
        in_channels (int): Student feature width.
        out_channels (int): Teacher feature width.
        bias (bool): Whether the layer has a bias. Defaults to True.
        init_cfg (dict, optional): Initialisation config. Defaults to
            truncated-normal weights.

    Example:
        >>> connectors = dict(
        ...     feat_proj=dict(type='LinearConnector', in_channels=384,
        ...                    out_channels=768))
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 bias: bool = True,
                 init_cfg: Optional[dict] = dict(
                     type='TruncNormal', layer='Linear', std=0.02)) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.proj = nn.Linear(in_channels, out_channels, bias=bias)

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        """Map ``(..., in_channels)`` to ``(..., out_channels)``."""
        if feat.shape[-1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__} expects {self.in_channels} channels '
                f'in the last dimension, got shape {tuple(feat.shape)}')
        return self.proj(feat)


@MODELS.register_module()
class ConvConnector(BaseModule):
    """Project the channels of a feature map with a 1x1 convolution.

    Args:
        in_channels (int): Student channels.
        out_channels (int): Teacher channels.
        norm_cfg (dict, optional): Norm layer after the convolution, e.g.
            ``dict(type='BN')``. Defaults to None (no norm, conv with bias).
        init_cfg (dict, optional): Initialisation config. Defaults to
            Kaiming-normal convolutions.

    Example:
        >>> connectors = dict(
        ...     stage4=dict(type='ConvConnector', in_channels=256,
        ...                 out_channels=2048, norm_cfg=dict(type='BN')))
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = dict(
                     type='Kaiming', layer='Conv2d')) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.conv = nn.Conv2d(
            in_channels, out_channels, kernel_size=1, bias=norm_cfg is None)
        self.norm = build_norm_layer(norm_cfg, out_channels)[1] \
            if norm_cfg is not None else nn.Identity()

    def forward(self, feat: torch.Tensor) -> torch.Tensor:
        """Map ``(N, in_channels, H, W)`` to ``(N, out_channels, H, W)``."""
        if feat.dim() != 4 or feat.shape[1] != self.in_channels:
            raise ValueError(
                f'{type(self).__name__} expects (N, {self.in_channels}, H, '
                f'W) feature maps, got shape {tuple(feat.shape)}')
        return self.norm(self.conv(feat))
