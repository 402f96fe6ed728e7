# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face-prior pixel level: masked-pixel reconstruction weighted by region."""
from typing import Optional

import torch
from mmpretrain.models.heads import MAEPretrainHead
from mmpretrain.registry import MODELS

__all__ = ['FacePixelHead']


@MODELS.register_module()
class FacePixelHead(MAEPretrainHead):
    """MAE pixel reconstruction whose masked patches count by face region.

    Predicts: the pixels of every patch (the MAE decoder's output,
    ``(N, L, patch_size**2 * 3)``). Loss: the squared error per pixel,
    averaged per patch (of the per-patch normalised pixels with
    ``norm_pix``), then a weighted mean over the masked patches::

        loss = sum(mask * w * err) / sum(mask * w)

    with ``w = background_weight``, ``face_weight`` or ``part_weight`` for
    patches labelled background (0), face (1) or a facial part (>= 2) in
    ``face_patch_labels`` (:class:`FacePriorTargets`). Samples without
    landmarks, or calls without labels, weigh every patch 1. With all
    weights 1 it is MMPretrain's MAE loss (``PixelReconstructionLoss`` with
    ``criterion='L2'``): the paper's "optionally weighted toward facial
    regions" is the choice of these weights.

    Args:
        norm_pix (bool): Normalise each target patch by its mean and
            variance (MAE). Defaults to True.
        patch_size (int): Patch side in pixels. Defaults to 16.
        in_channels (int): Image channels. Defaults to 3.
        background_weight (float): Weight of background patches.
            Defaults to 1.0.
        face_weight (float): Weight of face (skin) patches. Defaults to 1.0.
        part_weight (float): Weight of brow, eye, nose and mouth patches.
            Defaults to 1.0.

    Example:
        >>> import torch
        >>> head = FacePixelHead(patch_size=8, part_weight=4.0)
        >>> imgs = torch.randn(2, 3, 32, 32)
        >>> target = head.construct_target(imgs)
        >>> mask = torch.ones(2, 16)
        >>> float(head.loss(target, imgs, mask))
        0.0
    """

    def __init__(self,
                 norm_pix: bool = True,
                 patch_size: int = 16,
                 in_channels: int = 3,
                 background_weight: float = 1.0,
                 face_weight: float = 1.0,
                 part_weight: float = 1.0) -> None:
        for name, value in (('background_weight', background_weight),
                            ('face_weight', face_weight),
                            ('part_weight', part_weight)):
            if not value >= 0:
                raise ValueError(f'{name} must be non-negative, got {value}')
        super().__init__(
            loss=dict(type='PixelReconstructionLoss', criterion='L2'),
            norm_pix=norm_pix,
            patch_size=patch_size,
            in_channels=in_channels)
        self.region_weights = (float(background_weight), float(face_weight),
                               float(part_weight))

    def patch_weights(self, patch_labels: torch.Tensor,
                      valid: Optional[torch.Tensor] = None) -> torch.Tensor:
        """``(N, L)`` weights of the patches from their ``(N, gh, gw)``
        labels; rows of samples with ``valid`` False are all 1."""
        background, face, part = self.region_weights
        labels = patch_labels.flatten(1)
        weights = torch.full(labels.shape, background,
                             device=labels.device)
        weights[labels == 1] = face
        weights[labels >= 2] = part
        if valid is not None:
            weights[~valid.bool()] = 1.0
        return weights

    def loss(self,
             pred: torch.Tensor,
             target: torch.Tensor,
             mask: torch.Tensor,
             patch_labels: Optional[torch.Tensor] = None,
             valid: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Region-weighted reconstruction loss of the masked patches.

        Args:
            pred (Tensor): ``(N, L, p * p * C)`` predicted patches.
            target (Tensor): ``(N, C, H, W)`` images.
            mask (Tensor): ``(N, L)``, 1 for masked (predicted) patches.
            patch_labels (Tensor, optional): ``(N, gh, gw)`` face-part
                labels. Defaults to None (all weights 1).
            valid (Tensor, optional): ``(N,)`` samples whose labels count.

        Returns:
            Tensor: The scalar loss.
        """
        target = self.construct_target(target)
        per_patch = (pred - target).pow(2).mean(-1)
        weight = mask.to(per_patch.dtype)
        if patch_labels is not None:
            weight = weight * self.patch_weights(patch_labels, valid).to(
                per_patch.dtype)
        return (per_patch * weight).sum() / weight.sum().clamp(min=1e-6)
