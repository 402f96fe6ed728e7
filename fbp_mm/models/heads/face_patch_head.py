# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face-prior patch level: each patch's facial part and landmark heat."""
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

__all__ = ['FacePatchHead']


@MODELS.register_module()
class FacePatchHead(BaseModule):
    """Per-patch face-part classification and landmark heatmap regression.

    Predicts, from each patch token of the encoder (``(N, L, C)``, the
    whole, unmasked image), with one linear layer each:

    - the patch's face-part label (``num_parts`` logits; the labels of
      :data:`~fbp_mm.datasets.transforms.PART_LABELS`, target
      ``face_patch_labels``). Loss ``loss_part``: cross-entropy averaged
      over the patches of samples with landmarks (optional class weights);
    - the value of each landmark's heatmap at the patch (``num_landmarks``
      outputs, target ``face_heatmaps`` on the patch grid). Loss
      ``loss_heatmap``: squared error summed over the landmarks, averaged
      over patches and samples with landmarks (0 when exact).

    Either part is switched off with its weight 0 (its layer still exists
    so checkpoints keep one layout); ``num_landmarks=0`` removes the
    heatmap layer.

    Args:
        in_channels (int): Token channels.
        num_parts (int): Part labels. Defaults to 8.
        num_landmarks (int): Heatmap channels. Defaults to 68.
        part_weight (float): Weight of ``loss_part``. Defaults to 1.0.
        heatmap_weight (float): Weight of ``loss_heatmap``.
            Defaults to 1.0.
        class_weight (Sequence[float], optional): Cross-entropy weight per
            part label (background and face cover most patches).
            Defaults to None.
        init_cfg (dict, optional): Initialisation config.

    Example:
        >>> import torch
        >>> head = FacePatchHead(in_channels=16, num_landmarks=68)
        >>> parts, heat = head(torch.randn(2, 64, 16))
        >>> parts.shape, heat.shape
        (torch.Size([2, 64, 8]), torch.Size([2, 64, 68]))
    """

    def __init__(self,
                 in_channels: int,
                 num_parts: int = 8,
                 num_landmarks: int = 68,
                 part_weight: float = 1.0,
                 heatmap_weight: float = 1.0,
                 class_weight: Optional[Sequence[float]] = None,
                 init_cfg: Optional[dict] = dict(
                     type='TruncNormal', layer='Linear', std=0.02)) -> None:
        super().__init__(init_cfg=init_cfg)
        if class_weight is not None and len(class_weight) != num_parts:
            raise ValueError(f'class_weight needs {num_parts} values, got '
                             f'{len(class_weight)}')
        self.part_fc = nn.Linear(in_channels, num_parts)
        self.heatmap_fc = (nn.Linear(in_channels, num_landmarks)
                           if num_landmarks else None)
        self.part_weight = float(part_weight)
        self.heatmap_weight = float(heatmap_weight)
        self.register_buffer(
            'class_weight',
            None if class_weight is None else torch.tensor(
                class_weight, dtype=torch.float32), persistent=False)

    def forward(
        self, tokens: torch.Tensor
    ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        """Part logits ``(N, L, num_parts)`` and heatmap values
        ``(N, L, num_landmarks)`` (None without the heatmap layer)."""
        heat = self.heatmap_fc(tokens) if self.heatmap_fc is not None \
            else None
        return self.part_fc(tokens), heat

    def loss_by_prediction(
            self, part_logits: torch.Tensor, heatmaps: Optional[torch.Tensor],
            patch_labels: torch.Tensor, target_heatmaps: torch.Tensor,
            valid: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The weighted losses of given predictions.

        Args:
            part_logits (Tensor): ``(N, L, num_parts)``.
            heatmaps (Tensor, optional): ``(N, L, K)``.
            patch_labels (Tensor): ``(N, gh, gw)`` with ``gh * gw == L``.
            target_heatmaps (Tensor): ``(N, K, gh, gw)``.
            valid (Tensor): ``(N,)`` samples with landmarks.

        Returns:
            dict[str, Tensor]: ``loss_part`` and (with heatmaps)
            ``loss_heatmap``; 0 (with grad) when no sample is valid.
        """
        valid = valid.bool()
        labels = patch_labels.flatten(1).long()
        if labels.shape[1] != part_logits.shape[1]:
            raise ValueError(
                f'FacePatchHead: {part_logits.shape[1]} tokens but '
                f'{labels.shape[1]} patch labels; FacePriorTargets needs the '
                f"backbone's patch_size")
        zero = part_logits.sum() * 0
        losses = {}
        if valid.any():
            part = F.cross_entropy(
                part_logits[valid].flatten(0, 1), labels[valid].flatten(),
                weight=self.class_weight)
        else:
            part = zero
        losses['loss_part'] = self.part_weight * part
        if heatmaps is not None:
            target = target_heatmaps.flatten(2).transpose(1, 2)
            if valid.any():
                error = (heatmaps[valid] - target[valid].to(heatmaps.dtype))
                heat = error.pow(2).sum(-1).mean()
            else:
                heat = zero
            losses['loss_heatmap'] = self.heatmap_weight * heat
        return losses

    def loss(self, tokens: torch.Tensor, patch_labels: torch.Tensor,
             target_heatmaps: torch.Tensor,
             valid: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Predict from ``(N, L, C)`` tokens and return the losses (see
        :meth:`loss_by_prediction`)."""
        part_logits, heatmaps = self(tokens)
        return self.loss_by_prediction(part_logits, heatmaps, patch_labels,
                                       target_heatmaps, valid)
