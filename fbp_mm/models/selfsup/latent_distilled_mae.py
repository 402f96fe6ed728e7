"""MAE whose decoder also predicts a frozen teacher's patch features."""
from typing import Dict, List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.models.selfsup import MAE
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


@MODELS.register_module()
class LatentDistilledMAE(MAE):
    """MAE pretraining with distillation of a teacher's latent features.

    Beside reconstructing the pixels of masked patches (MMPretrain's
    :class:`~mmpretrain.models.selfsup.MAE`), the student decoder's hidden
    state of every masked patch is projected by ``latent_predictor`` and
    regressed onto the features a frozen teacher encoder computes for that
    patch from the whole, unmasked image. The teacher is the
    ``target_generator``: any ViT-like backbone returning patch tokens
    (``out_type='raw'``), e.g. a pretrained ``MultiScaleMAEViT`` loaded
    with ``init_cfg=dict(type='Pretrained', checkpoint=..., prefix=
    'backbone.')``. It stays frozen and in eval mode and runs without grad.

    Teacher tokens are layer-normalised (no affine) before the MSE, so the
    loss does not depend on the teacher's feature scale. Student and teacher
    must have the same patch grid.

    Args:
        backbone (dict): Student MAE encoder config.
        neck (dict): ``MAEPretrainDecoder`` config.
        head (dict): ``MAEPretrainHead`` config (pixel loss).
        target_generator (dict): Teacher encoder config.
        latent_predictor (dict): ``dict(in_channels=<decoder dims>,
            out_channels=<teacher dims>)``; a linear layer.
        latent_loss_weight (float): Weight of the latent loss (logged as
            ``loss_latent``). Defaults to 1.0.
        pixel_loss_weight (float): Weight of the pixel loss (logged as
            ``loss_pixel``). Defaults to 1.0.
        **kwargs: ``data_preprocessor``, ``init_cfg`` of the base class.

    Example:
        >>> model = dict(
        ...     type='LatentDistilledMAE',
        ...     backbone=dict(type='MAEViT', arch='b', patch_size=16),
        ...     neck=dict(type='MAEPretrainDecoder', embed_dim=768,
        ...               decoder_embed_dim=512),
        ...     head=dict(type='MAEPretrainHead', norm_pix=True,
        ...               patch_size=16,
        ...               loss=dict(type='PixelReconstructionLoss',
        ...                         criterion='L2')),
        ...     target_generator=dict(
        ...         type='MultiScaleMAEViT', arch='base', out_type='raw',
        ...         init_cfg=dict(type='Pretrained', prefix='backbone.',
        ...                       checkpoint='work_dirs/teacher.pth')),
        ...     latent_predictor=dict(in_channels=512, out_channels=768),
        ...     latent_loss_weight=1.0)
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 target_generator: dict,
                 latent_predictor: dict,
                 latent_loss_weight: float = 1.0,
                 pixel_loss_weight: float = 1.0,
                 **kwargs) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            target_generator=target_generator,
            **kwargs)
        self.latent_predictor = nn.Linear(latent_predictor['in_channels'],
                                          latent_predictor['out_channels'])
        self.latent_loss_weight = latent_loss_weight
        self.pixel_loss_weight = pixel_loss_weight
        for param in self.target_generator.parameters():
            param.requires_grad = False
        self.target_generator.eval()
        if not hasattr(self.neck, 'decoder_norm'):
            raise TypeError('LatentDistilledMAE reads the decoder hidden '
                            'state at `neck.decoder_norm`; use '
                            'MAEPretrainDecoder (or a subclass) as the neck.')
        self._decoder_hidden: Optional[torch.Tensor] = None
        self.neck.decoder_norm.register_forward_hook(self._keep_hidden)

    def _keep_hidden(self, module, args, output) -> None:
        self._decoder_hidden = output

    def train(self, mode: bool = True) -> 'LatentDistilledMAE':
        """Switch modes; the teacher always stays in eval mode."""
        super().train(mode)
        self.target_generator.eval()
        return self

    @torch.no_grad()
    def teacher_tokens(self, inputs: torch.Tensor) -> torch.Tensor:
        """Teacher patch tokens ``(N, L, C)`` of the unmasked images."""
        out = self.target_generator(inputs)
        tokens = out[-1] if isinstance(out, (tuple, list)) else out
        if tokens.dim() != 3:
            raise ValueError(
                'The target generator must return patch tokens (N, L, C); '
                f'got shape {tuple(tokens.shape)}. Set out_type="raw".')
        return F.layer_norm(tokens, tokens.shape[-1:])

    def loss(self, inputs: torch.Tensor, data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Pixel reconstruction loss plus latent distillation loss.

        Args:
            inputs (Tensor): Images ``(N, 3, H, W)``.
            data_samples (list[DataSample]): Unused.

        Returns:
            dict[str, Tensor]: ``loss_pixel`` and ``loss_latent``.
        """
        latent, mask, ids_restore = self.backbone(inputs)
        pred = self.neck(latent, ids_restore)
        pixel_loss = self.head.loss(pred, inputs, mask)

        hidden = self._decoder_hidden
        num_patches = mask.shape[1]
        if hidden.shape[1] == num_patches + 1:
            hidden = hidden[:, 1:]
        target = self.teacher_tokens(inputs)
        if target.shape[1] == num_patches + 1:
            target = target[:, 1:]
        if target.shape[1] != num_patches:
            raise ValueError(
                f'Teacher has {target.shape[1]} patch tokens, student '
                f'{num_patches}: use the same image and patch size.')
        predicted = self.latent_predictor(hidden)
        per_patch = (predicted - target.to(predicted.dtype)).pow(2).mean(-1)
        latent_loss = (per_patch * mask).sum() / mask.sum().clamp(min=1)
        return dict(
            loss_pixel=self.pixel_loss_weight * pixel_loss,
            loss_latent=self.latent_loss_weight * latent_loss)
