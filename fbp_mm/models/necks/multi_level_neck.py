"""Fuse features of several encoder layers into one vector."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class MultiLevelFusionNeck(BaseModule):
    """Pool and fuse the outputs of several backbone layers.

    Meant for a ViT with several ``out_indices`` (e.g. ``(3, 7, 11)``):
    every level is pooled to ``(N, C_i)`` and the levels are fused into one
    ``(N, out_channels)`` vector, returned as a 1-tuple so that MMPretrain
    heads and fbp_mm's ``RegressionHead`` (which read ``feats[-1]``) work.

    Pooling of a level by its shape:

    - ``(N, C)`` (``out_type='cls_token'`` or ``'avg_featmap'``): as is.
    - ``(N, C, H, W)`` (``out_type='featmap'``): mean over space.
    - ``(N, L, C)`` (``out_type='raw'``): by ``raw_pool``: ``'mean'``
      averages all tokens (class token included), ``'patch_mean'`` drops the
      first ``num_extra_tokens`` tokens (the class token) and averages the
      rest, ``'cls'`` takes the first token.

    Fusion:

    - ``'weighted_sum'``: each level is (optionally) layer-normalised,
      projected by a linear layer to ``out_channels`` if its width differs,
      and the levels are summed with learnable softmax-normalised weights
      (initially uniform), see :attr:`level_weights`.
    - ``'concat'``: each level is (optionally) layer-normalised, the levels
      are concatenated and a linear layer maps them to ``out_channels``.

    Args:
        in_channels (int | Sequence[int]): Channels of every level, or one
            int shared by all levels.
        num_levels (int, optional): Number of levels; may be omitted when
            ``in_channels`` is a sequence. Defaults to None.
        out_channels (int, optional): Fused width. Defaults to None: the
            first level's width for ``'weighted_sum'``, the last level's
            width for ``'concat'``.
        fusion (str): ``'weighted_sum'`` or ``'concat'``.
            Defaults to ``'weighted_sum'``.
        norm (bool): Apply a LayerNorm to every pooled level before fusion.
            Defaults to True.
        raw_pool (str): Pooling of ``(N, L, C)`` tokens: ``'mean'``,
            ``'patch_mean'`` or ``'cls'``. Defaults to ``'mean'``.
        num_extra_tokens (int): Leading non-patch tokens dropped by
            ``raw_pool='patch_mean'``. Defaults to 1.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.

    Example:
        >>> model = dict(
        ...     type='ImageClassifier',
        ...     backbone=dict(type='MultiScaleMAEViT', arch='base',
        ...                   out_type='cls_token', out_indices=(3, 7, 11)),
        ...     neck=dict(type='MultiLevelFusionNeck', in_channels=768,
        ...               num_levels=3, out_channels=768,
        ...               fusion='weighted_sum'),
        ...     head=dict(type='RegressionHead', in_channels=768,
        ...               loss=dict(type='MSELoss')))
    """

    FUSIONS = ('weighted_sum', 'concat')
    RAW_POOLS = ('mean', 'patch_mean', 'cls')

    def __init__(self,
                 in_channels: Union[int, Sequence[int]],
                 num_levels: Optional[int] = None,
                 out_channels: Optional[int] = None,
                 fusion: str = 'weighted_sum',
                 norm: bool = True,
                 raw_pool: str = 'mean',
                 num_extra_tokens: int = 1,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if isinstance(in_channels, int):
            if num_levels is None:
                raise ValueError('Give `num_levels` when `in_channels` is '
                                 'one int.')
            in_channels = [in_channels] * num_levels
        in_channels = list(in_channels)
        if num_levels is None:
            num_levels = len(in_channels)
        if num_levels < 1 or len(in_channels) != num_levels:
            raise ValueError(
                f'`in_channels` {in_channels} does not match `num_levels` '
                f'{num_levels}.')
        if fusion not in self.FUSIONS:
            raise ValueError(f'`fusion` must be one of {self.FUSIONS}, got '
                             f'"{fusion}".')
        if raw_pool not in self.RAW_POOLS:
            raise ValueError(f'`raw_pool` must be one of {self.RAW_POOLS}, '
                             f'got "{raw_pool}".')
        if out_channels is None:
            out_channels = in_channels[0] if fusion == 'weighted_sum' \
                else in_channels[-1]

        self.in_channels = in_channels
        self.num_levels = num_levels
        self.out_channels = out_channels
        self.fusion = fusion
        self.raw_pool = raw_pool
        self.num_extra_tokens = num_extra_tokens

        self.norms = nn.ModuleList([
            nn.LayerNorm(c) if norm else nn.Identity() for c in in_channels
        ])
        if fusion == 'weighted_sum':
            self.projs = nn.ModuleList([
                nn.Identity() if c == out_channels else nn.Linear(
                    c, out_channels) for c in in_channels
            ])
            # Zeros give uniform weights after the softmax.
            self.level_logits = nn.Parameter(torch.zeros(num_levels))
        else:
            self.proj = nn.Linear(sum(in_channels), out_channels)

    @property
    def level_weights(self) -> torch.Tensor:
        """Tensor: Softmax-normalised level weights (``'weighted_sum'``)."""
        if self.fusion != 'weighted_sum':
            raise AttributeError('Only `weighted_sum` fusion has weights.')
        return F.softmax(self.level_logits, dim=0)

    def pool(self, feat: torch.Tensor) -> torch.Tensor:
        """Reduce one level's feature to ``(N, C)``.

        Args:
            feat (Tensor): ``(N, C)``, ``(N, C, H, W)`` or ``(N, L, C)``.

        Returns:
            Tensor: ``(N, C)``.
        """
        if feat.dim() == 2:
            return feat
        if feat.dim() == 4:
            return feat.mean(dim=(2, 3))
        if feat.dim() == 3:
            if self.raw_pool == 'cls':
                return feat[:, 0]
            if self.raw_pool == 'patch_mean':
                feat = feat[:, self.num_extra_tokens:]
            return feat.mean(dim=1)
        raise ValueError(
            f'Cannot pool a feature of shape {tuple(feat.shape)}.')

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor]:
        """Fuse the levels.

        Args:
            inputs (Sequence[Tensor]): ``num_levels`` features, shallow to
                deep, as a ViT with several ``out_indices`` returns them.

        Returns:
            Tuple[Tensor]: ``(fused, )`` with ``fused`` of shape
            ``(N, out_channels)``.
        """
        if len(inputs) != self.num_levels:
            raise ValueError(f'Expected {self.num_levels} levels, got '
                             f'{len(inputs)}.')
        pooled = []
        for feat, norm, channels in zip(inputs, self.norms, self.in_channels):
            feat = self.pool(feat)
            if feat.shape[-1] != channels:
                raise ValueError(f'A level has {feat.shape[-1]} channels, '
                                 f'expected {channels}.')
            pooled.append(norm(feat))

        if self.fusion == 'concat':
            return (self.proj(torch.cat(pooled, dim=1)), )
        weights = self.level_weights
        fused = sum(w * proj(feat)
                    for w, proj, feat in zip(weights, self.projs, pooled))
        return (fused, )
