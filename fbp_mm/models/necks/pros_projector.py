"""ProS projector: DINO-style projection head plus learnable prototypes."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS


@MODELS.register_module()
class ProSProjector(BaseModule):
    """Projection head and prototypes of ProS, shared by student and teacher.

    Two outputs per image, both cosine similarities:

    - ``logits`` of the self-distillation (DINO-style) objective: an MLP
      (``num_layers`` linear layers with GELU) maps the backbone's class
      token to a ``bottleneck_channels`` vector, which is L2-normalised and
      compared with ``out_channels`` weight-normalised directions (the last
      layer; its norm is fixed at 1 when ``norm_last_layer``, as DINO
      recommends for stability).
    - ``proto`` of the prototype matching objective: the cosine similarity
      of a feature to each of ``num_prototypes`` learnable prototypes. Only
      the abstract of the paper is public and it does not say which feature
      meets the prototypes; by default (``proto_input='backbone'``) it is the
      backbone's class token itself, so the prototype loss shapes the
      representation that is fine-tuned later, and the two objectives do
      not repeat each other. ``proto_input='bottleneck'`` uses the
      projector's normalised bottleneck instead.

    Temperatures, centering and the losses live in
    :class:`~fbp_mm.models.heads.ProSHead`; the teacher is an EMA copy of
    the backbone and this module, prototypes included.

    Args:
        in_channels (int): Width of the backbone's class token.
        hidden_channels (int): Hidden width of the MLP. Defaults to 2048.
        bottleneck_channels (int): Output width of the MLP. Defaults to 256.
        out_channels (int): Number of self-distillation directions (DINO's
            ``K``). Defaults to 65536.
        num_layers (int): Linear layers in the MLP (at least 1).
            Defaults to 3.
        num_prototypes (int): Learnable prototypes. Defaults to 256.
        proto_input (str): ``'backbone'`` or ``'bottleneck'``.
            Defaults to ``'backbone'``.
        norm_last_layer (bool): Fix the norm of the last layer's directions
            to 1. Defaults to True.
        init_cfg (dict, optional): Initialisation config.

    Example:
        >>> import torch
        >>> neck = ProSProjector(in_channels=32, hidden_channels=64,
        ...                      bottleneck_channels=16, out_channels=128,
        ...                      num_prototypes=8)
        >>> logits, proto = neck((torch.randn(4, 32), ))
        >>> logits.shape, proto.shape
        (torch.Size([4, 128]), torch.Size([4, 8]))
    """

    def __init__(self,
                 in_channels: int,
                 hidden_channels: int = 2048,
                 bottleneck_channels: int = 256,
                 out_channels: int = 65536,
                 num_layers: int = 3,
                 num_prototypes: int = 256,
                 proto_input: str = 'backbone',
                 norm_last_layer: bool = True,
                 init_cfg: Optional[dict] = dict(
                     type='TruncNormal', layer='Linear', std=0.02,
                     bias=0.)) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_layers < 1:
            raise ValueError(f'num_layers must be at least 1, got '
                             f'{num_layers}')
        if proto_input not in ('backbone', 'bottleneck'):
            raise ValueError("proto_input must be 'backbone' or "
                             f"'bottleneck', got {proto_input!r}")
        widths = [in_channels] + [hidden_channels] * (num_layers - 1) + [
            bottleneck_channels
        ]
        layers = []
        for i in range(num_layers):
            layers.append(nn.Linear(widths[i], widths[i + 1]))
            if i < num_layers - 1:
                layers.append(nn.GELU())
        self.mlp = nn.Sequential(*layers)
        self.last_layer = nn.Linear(
            bottleneck_channels, out_channels, bias=False)
        self.norm_last_layer = norm_last_layer
        self.proto_input = proto_input
        proto_dims = in_channels if proto_input == 'backbone' \
            else bottleneck_channels
        self.prototypes = nn.Parameter(
            torch.randn(num_prototypes, proto_dims) * 0.02)

    def forward(self, inputs: Tuple[torch.Tensor, ...]
                ) -> Tuple[torch.Tensor, torch.Tensor]:
        """Self-distillation logits and prototype similarities.

        Args:
            inputs (tuple[Tensor]): Backbone outputs; the last one is the
                ``(N, C)`` class token.

        Returns:
            tuple[Tensor, Tensor]: ``logits`` ``(N, out_channels)`` and
            ``proto`` ``(N, num_prototypes)``, cosine similarities in
            ``[-1, 1]``.
        """
        feat = inputs[-1] if isinstance(inputs, (tuple, list)) else inputs
        if feat.dim() != 2:
            raise ValueError(
                'ProSProjector takes the class token (N, C); set the '
                f"backbone's out_type='cls_token' (got {tuple(feat.shape)})")
        bottleneck = F.normalize(self.mlp(feat), dim=-1)
        weight = self.last_layer.weight
        if self.norm_last_layer:
            weight = F.normalize(weight, dim=-1)
        logits = F.linear(bottleneck, weight)
        source = feat if self.proto_input == 'backbone' else bottleneck
        proto = F.normalize(source, dim=-1) @ F.normalize(
            self.prototypes, dim=-1).t()
        return logits, proto
