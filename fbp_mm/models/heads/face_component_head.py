# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face-prior component level: RoI features of brows, eyes, nose, mouth."""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torchvision.ops import roi_align

__all__ = ['FaceComponentHead', 'COMPONENT_FLIP_ORDER']

#: Row order of the 6 components after a horizontal flip (the l/r brows
#: and eyes trade places; nose and mouth stay), for
#: :data:`~fbp_mm.datasets.transforms.COMPONENTS`.
COMPONENT_FLIP_ORDER = (1, 0, 3, 2, 4, 5)


@MODELS.register_module()
class FaceComponentHead(BaseModule):
    """Facial-component features: classify them, match them across views.

    For each component box (``face_component_boxes`` of
    :class:`FacePriorTargets`: the image-left / right brow and eye, the
    nose, the mouth) the patch tokens of the encoder, laid out on their
    grid, are RoI-aligned (``torchvision.ops.roi_align``, ``roi_size`` x
    ``roi_size`` bins, averaged) and projected by an MLP to a
    ``proj_dims`` embedding. Predicts and learns:

    - which component it is (a linear classifier on the pooled feature).
      Loss ``loss_component_cls``: cross-entropy over the valid components;
    - the same component in another view of the face (InfoNCE): the
      normalised embeddings of view ``a`` against those of view ``b``,
      logits ``za @ zb.T / temperature``, the positive being the same
      physical component of the same face (when exactly one of the views is
      flipped, its left and right rows trade places by
      :data:`COMPONENT_FLIP_ORDER`), every other component of the batch a
      negative; symmetric (both directions averaged). Loss
      ``loss_component_match``, averaged over view pairs ``(0, v)``; only
      with two or more views.

    A component is valid when its sample has landmarks and its box has
    positive area; invalid ones are left out of both losses.

    Args:
        in_channels (int): Token channels.
        num_components (int): Components per face. Defaults to 6.
        hidden_dims (int): MLP hidden width. Defaults to 256.
        proj_dims (int): Embedding width. Defaults to 128.
        roi_size (int): RoI-align bins per side. Defaults to 2.
        temperature (float): InfoNCE temperature. Defaults to 0.1.
        cls_weight (float): Weight of ``loss_component_cls``.
            Defaults to 1.0.
        match_weight (float): Weight of ``loss_component_match``.
            Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config.

    Example:
        >>> import torch
        >>> head = FaceComponentHead(in_channels=16, proj_dims=8)
        >>> grid = torch.randn(2, 16, 8, 8)  # 8 x 8 patches of 8 px
        >>> boxes = torch.tensor([[8., 8., 24., 20.]]).repeat(2, 6, 1)
        >>> pooled = head.pool(grid, boxes, patch_size=8)
        >>> embed, logits = head(pooled)
        >>> embed.shape, logits.shape
        (torch.Size([2, 6, 8]), torch.Size([2, 6, 6]))
    """

    def __init__(self,
                 in_channels: int,
                 num_components: int = 6,
                 hidden_dims: int = 256,
                 proj_dims: int = 128,
                 roi_size: int = 2,
                 temperature: float = 0.1,
                 cls_weight: float = 1.0,
                 match_weight: float = 1.0,
                 init_cfg: Optional[dict] = dict(
                     type='TruncNormal', layer='Linear', std=0.02)) -> None:
        super().__init__(init_cfg=init_cfg)
        if not temperature > 0:
            raise ValueError(
                f'temperature must be positive, got {temperature}')
        self.num_components = int(num_components)
        self.roi_size = int(roi_size)
        self.temperature = float(temperature)
        self.cls_weight = float(cls_weight)
        self.match_weight = float(match_weight)
        self.projector = nn.Sequential(
            nn.Linear(in_channels, hidden_dims), nn.GELU(),
            nn.Linear(hidden_dims, proj_dims))
        self.classifier = nn.Linear(in_channels, self.num_components)

    def pool(self, grid: torch.Tensor, boxes: torch.Tensor,
             patch_size: int) -> torch.Tensor:
        """RoI-average the token grid over each box.

        Args:
            grid (Tensor): ``(N, C, gh, gw)`` patch tokens.
            boxes (Tensor): ``(N, M, 4)`` ``(x1, y1, x2, y2)`` in image
                pixels with pixel centres at integers (patch ``g`` spans
                ``[g * p - 0.5, (g + 1) * p - 0.5]``).
            patch_size (int): Pixels per patch side.

        Returns:
            Tensor: ``(N, M, C)`` pooled features.
        """
        n, m = boxes.shape[:2]
        # edges of patch g at g * p .. (g + 1) * p after the half-pixel shift
        rois = torch.cat([
            torch.arange(n, device=grid.device,
                         dtype=grid.dtype).repeat_interleave(m)[:, None],
            (boxes.reshape(-1, 4) + 0.5).to(grid.dtype)
        ], dim=1)
        pooled = roi_align(grid, rois, output_size=self.roi_size,
                           spatial_scale=1.0 / patch_size, sampling_ratio=2,
                           aligned=True)
        return pooled.mean((2, 3)).reshape(n, m, -1)

    def forward(self,
                pooled: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Embeddings ``(N, M, proj_dims)`` and class logits ``(N, M, M)``
        of ``(N, M, C)`` pooled features."""
        return self.projector(pooled), self.classifier(pooled)

    @staticmethod
    def valid_components(boxes: torch.Tensor,
                         valid: torch.Tensor) -> torch.Tensor:
        """``(N, M)`` bool: the sample has landmarks and the box an area."""
        area = (boxes[..., 2] - boxes[..., 0]).clamp(min=0) * (
            boxes[..., 3] - boxes[..., 1]).clamp(min=0)
        return (area > 0) & valid.bool()[:, None]

    def classification_loss(self, logits: torch.Tensor,
                            valid: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of ``(N, M, M)`` logits over the valid ``(N, M)``
        components (targets: their row index); 0 when none is valid."""
        target = torch.arange(logits.shape[1],
                              device=logits.device).expand(valid.shape)
        if not valid.any():
            return logits.sum() * 0
        return F.cross_entropy(logits[valid], target[valid])

    def matching_loss(self, embed_a: torch.Tensor, embed_b: torch.Tensor,
                      valid: torch.Tensor) -> torch.Tensor:
        """Symmetric InfoNCE between two views' ``(N, M, D)`` embeddings
        whose rows already correspond, over components valid in both
        (``(N, M)``); 0 when fewer than two are."""
        za = F.normalize(embed_a[valid], dim=-1)
        zb = F.normalize(embed_b[valid], dim=-1)
        if za.shape[0] < 2:
            return embed_a.sum() * 0
        logits = za @ zb.t() / self.temperature
        target = torch.arange(za.shape[0], device=za.device)
        return (F.cross_entropy(logits, target) +
                F.cross_entropy(logits.t(), target)) / 2

    def loss(self,
             grids: Sequence[torch.Tensor],
             boxes: torch.Tensor,
             valid: torch.Tensor,
             patch_size: int,
             flipped: Optional[torch.Tensor] = None
             ) -> Dict[str, torch.Tensor]:
        """Component losses of one or more views.

        Args:
            grids (Sequence[Tensor]): Per view, ``(N, C, gh, gw)`` tokens.
            boxes (Tensor): ``(N, V, M, 4)`` component boxes per view.
            valid (Tensor): ``(N, V)`` views with landmarks.
            patch_size (int): Pixels per patch side.
            flipped (Tensor, optional): ``(N, V)`` whether each view was
                flipped. Defaults to None (no view flipped).

        Returns:
            dict[str, Tensor]: ``loss_component_cls`` (mean over views) and,
            with two or more views, ``loss_component_match``.
        """
        embeds, masks, cls_losses = [], [], []
        for v, grid in enumerate(grids):
            embed, logits = self(self.pool(grid, boxes[:, v], patch_size))
            mask = self.valid_components(boxes[:, v], valid[:, v])
            cls_losses.append(self.classification_loss(logits, mask))
            embeds.append(embed)
            masks.append(mask)
        losses = dict(loss_component_cls=self.cls_weight *
                      torch.stack(cls_losses).mean())
        if len(grids) < 2:
            return losses
        order = torch.tensor(COMPONENT_FLIP_ORDER, device=boxes.device)
        if flipped is None:
            flipped = torch.zeros(valid.shape, dtype=torch.bool,
                                  device=boxes.device)
        flipped = flipped.bool()
        match = []
        for v in range(1, len(grids)):
            swap = flipped[:, 0] != flipped[:, v]
            # rows of view v, in the physical order of view 0
            embed_v = torch.where(swap[:, None, None],
                                  embeds[v][:, order], embeds[v])
            mask_v = torch.where(swap[:, None], masks[v][:, order], masks[v])
            match.append(
                self.matching_loss(embeds[0], embed_v, masks[0] & mask_v))
        losses['loss_component_match'] = self.match_weight * torch.stack(
            match).mean()
        return losses
