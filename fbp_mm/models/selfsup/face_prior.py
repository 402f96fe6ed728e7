# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face-prior pretraining: one ViT encoder, pixel, patch and component
auxiliary tasks."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

__all__ = ['FacePrior']

_TARGET_KEYS = ('face_patch_labels', 'face_heatmaps', 'face_component_boxes',
                'face_prior_valid')


@MODELS.register_module()
class FacePrior(BaseSelfSupervisor):
    """General face representation from face-prior auxiliary tasks.

    After Sun, He, Shan and Han (Pattern Recognition 2025), whose abstract
    names auxiliary tasks at the pixel, patch and component levels; the
    details below are this toolbox's choices (each a switch):

    - **pixel** (``neck`` + ``pixel_head``, e.g. ``MAEPretrainDecoder`` +
      :class:`FacePixelHead`): MAE on view 0, the encoder on its visible
      patches only, the decoder reconstructing the masked ones, optionally
      weighted toward facial regions. Logged ``loss_pixel``.
    - **patch** (``patch_head``, :class:`FacePatchHead`): the encoder on
      the whole (unmasked) image of every view; each patch token predicts
      its face part and the landmark heatmaps at its position.
      ``loss_part``, ``loss_heatmap`` (averaged over views).
    - **component** (``component_head``, :class:`FaceComponentHead`): the
      same unmasked tokens, RoI-pooled over the brows, eyes, nose and
      mouth; classified, and matched across views.
      ``loss_component_cls``, ``loss_component_match``.

    The patch and component levels share one unmasked encoder pass per
    view (the representation fine-tuning sees); the pixel level adds a
    masked pass. A level is off when its head is None (or its weights are
    0). The targets come from :class:`FacePriorTargets` (one view) or
    :class:`FacePriorViews` (several; then ``inputs`` is a list of view
    batches), packed with ``PackInputs(algorithm_keys=...)``.

    Args:
        backbone (dict): An MAE-style ViT: ``backbone(x)`` returns
            ``(latent, mask, ids_restore)`` (masked) and
            ``backbone(x, mask=None)`` the whole image's outputs, the last
            holding ``(N, extra + L, C)`` tokens (MMPretrain's ``MAEViT``
            with ``out_type='raw'``, fbp_mm's ``MultiScaleMAEViT``).
        neck (dict, optional): The MAE decoder (pixel level).
        pixel_head (dict, optional): The pixel head; needs ``neck``.
        patch_head (dict, optional): The patch head.
        component_head (dict, optional): The component head.
        patch_size (int): The backbone's patch side in pixels (the
            component RoIs are in pixels). Defaults to 16.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor`` (BaseSelfSupervisor's).
        init_cfg (dict, optional): Initialisation config.

    Example:
        >>> model = dict(
        ...     type='FacePrior',
        ...     backbone=dict(type='MAEViT', arch='b', patch_size=16,
        ...                   mask_ratio=0.75),
        ...     neck=dict(type='MAEPretrainDecoder', embed_dim=768),
        ...     pixel_head=dict(type='FacePixelHead', patch_size=16,
        ...                     part_weight=2.0),
        ...     patch_head=dict(type='FacePatchHead', in_channels=768),
        ...     component_head=dict(type='FaceComponentHead',
        ...                         in_channels=768),
        ...     patch_size=16)
    """

    def __init__(self,
                 backbone: dict,
                 neck: Optional[dict] = None,
                 pixel_head: Optional[dict] = None,
                 patch_head: Optional[dict] = None,
                 component_head: Optional[dict] = None,
                 patch_size: int = 16,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if (neck is None) != (pixel_head is None):
            raise ValueError('FacePrior: the pixel level needs both neck '
                             '(the MAE decoder) and pixel_head, or neither.')
        if pixel_head is None and patch_head is None and \
                component_head is None:
            raise ValueError('FacePrior: give at least one of pixel_head, '
                             'patch_head and component_head.')
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=pixel_head,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        self.patch_head = MODELS.build(patch_head) if patch_head else None
        self.component_head = (MODELS.build(component_head)
                               if component_head else None)
        self.patch_size = int(patch_size)

    def extract_feat(self, inputs: torch.Tensor):
        """The backbone's outputs for whole (unmasked) images."""
        return self.backbone(inputs, mask=None)

    def patch_tokens(self, inputs: torch.Tensor,
                     num_patches: int) -> torch.Tensor:
        """``(N, L, C)`` patch tokens (no class token) of whole images."""
        outs = self.extract_feat(inputs)
        tokens = outs[-1] if isinstance(outs, (tuple, list)) else outs
        if tokens.dim() != 3 or tokens.shape[1] < num_patches:
            raise ValueError(
                'FacePrior: the backbone must return (N, extra + L, C) '
                f'tokens for L={num_patches} patches (out_type="raw"); got '
                f'shape {tuple(tokens.shape)}')
        return tokens[:, tokens.shape[1] - num_patches:]

    @staticmethod
    def stack_targets(data_samples: Sequence[DataSample], num_views: int,
                      device: torch.device) -> Dict[str, torch.Tensor]:
        """Batch the face-prior targets as ``(N, V, ...)`` tensors.

        Args:
            data_samples (Sequence[DataSample]): With the keys of
                :class:`FacePriorTargets` (one view: no view axis) or
                :class:`FacePriorViews` (``(V, ...)`` arrays).
            num_views (int): Views in ``inputs``.
            device (torch.device): Where to put them.

        Returns:
            dict[str, Tensor]: The targets, plus ``face_view_flipped``.
        """
        # FacePriorViews writes face_view_flipped and a view axis;
        # FacePriorTargets alone neither
        has_views = 'face_view_flipped' in data_samples[0]
        out = {}
        for key in _TARGET_KEYS:
            missing = [i for i, s in enumerate(data_samples) if key not in s]
            if missing:
                raise KeyError(
                    f'FacePrior: data sample(s) {missing[:5]} lack {key!r}; '
                    f'end the pipeline with FacePriorTargets (or '
                    f'FacePriorViews) and pack its keys with '
                    f'PackInputs(algorithm_keys=[...]).')
            values = np.stack([np.asarray(s.get(key)) for s in data_samples])
            if not has_views:
                values = values[:, None]
            if values.shape[1] != num_views:
                raise ValueError(
                    f'FacePrior: {key} holds {values.shape[1]} view(s), the '
                    f'inputs {num_views}.')
            out[key] = torch.as_tensor(values, device=device)
        if has_views:
            flipped = np.stack([
                np.asarray(s.get('face_view_flipped'), bool)
                for s in data_samples
            ])
        else:
            flipped = np.zeros((len(data_samples), 1), bool)
        out['face_view_flipped'] = torch.as_tensor(flipped, device=device)
        return out

    def loss(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
             data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """The auxiliary losses of one batch.

        Args:
            inputs (Tensor | list[Tensor]): One batch ``(N, 3, H, W)`` or one
                per view.
            data_samples (list[DataSample]): With the face-prior targets.

        Returns:
            dict[str, Tensor]: The losses of the enabled levels.
        """
        views = list(inputs) if isinstance(inputs, (list, tuple)) \
            else [inputs]
        targets = self.stack_targets(data_samples, len(views),
                                     views[0].device)
        labels = targets['face_patch_labels']
        valid = targets['face_prior_valid'].bool()
        losses: Dict[str, torch.Tensor] = {}
        if self.with_head:
            latent, mask, ids_restore = self.backbone(views[0])
            pred = self.neck(latent, ids_restore)
            losses['loss_pixel'] = self.head.loss(
                pred, views[0], mask, patch_labels=labels[:, 0],
                valid=valid[:, 0])
        if self.patch_head is None and self.component_head is None:
            return losses
        gh, gw = labels.shape[-2:]
        grids, patch_losses = [], []
        for v, view in enumerate(views):
            tokens = self.patch_tokens(view, gh * gw)
            if self.patch_head is not None:
                patch_losses.append(
                    self.patch_head.loss(tokens, labels[:, v],
                                         targets['face_heatmaps'][:, v],
                                         valid[:, v]))
            grids.append(tokens.transpose(1, 2).reshape(
                tokens.shape[0], tokens.shape[2], gh, gw))
        for name in (patch_losses[0] if patch_losses else ()):
            losses[name] = torch.stack([p[name]
                                        for p in patch_losses]).mean()
        if self.component_head is not None:
            losses.update(
                self.component_head.loss(
                    grids, targets['face_component_boxes'].float(), valid,
                    self.patch_size, targets['face_view_flipped']))
        return losses
