"""MAE vision transformer with a multi-scale convolution stem (MAE-MS).

The encoder of the MAE-MS-KD teacher (Gan & Xiong, Sci. Rep. 2025): a ViT
whose patch embedding is preceded by parallel convolutions of several kernel
sizes, pretrained as a masked autoencoder on unlabeled faces and later
fine-tuned (or used as a frozen teacher) for facial beauty prediction.
"""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import build_activation_layer
from mmengine.model import BaseModule
from mmpretrain.models.backbones import VisionTransformer
from mmpretrain.models.selfsup.mae import MAEViT
from mmpretrain.models.utils import (build_2d_sincos_position_embedding,
                                     build_norm_layer, to_2tuple)
from mmpretrain.registry import MODELS

# Normalisations that only look at one pixel's channels. Anything that pools
# statistics over space (BN, GN, IN) would let masked pixels influence the
# visible tokens, and BN would also mix images of a batch.
_PER_PIXEL_NORMS = ('LN2d', )


class MultiScaleConvStem(BaseModule):
    """Parallel convolutions of several receptive fields, fused per pixel.

    Every branch is ``Conv2d(k, dilation=d, 'same' padding) -> [norm] ->
    activation`` and keeps the spatial size. The branch outputs are fused by
    concatenation or summation followed by a 1x1 convolution, so the output
    is ``(N, out_channels, H, W)``.

    Args:
        in_channels (int): Channels of the input image. Defaults to 3.
        branch_channels (int): Output channels of every branch.
            Defaults to 16.
        out_channels (int): Channels after fusion. Defaults to 16.
        kernel_sizes (Sequence[int]): Odd kernel size of each branch.
            Defaults to ``(3, 5, 7)``.
        dilations (Sequence[int], optional): Dilation of each branch; None
            means 1 everywhere. Defaults to None.
        fusion (str): ``'concat'`` (concatenate the branches, then a 1x1
            conv) or ``'sum'`` (add the branches, then a 1x1 conv).
            Defaults to ``'concat'``.
        norm_cfg (dict, optional): Per-pixel normalisation after each branch
            convolution; only ``dict(type='LN2d')`` (LayerNorm over the
            channels of each pixel) or None (no norm) are accepted.
            Defaults to None.
        act_cfg (dict): Activation of each branch. Defaults to
            ``dict(type='GELU')``.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None (Kaiming for the branches, Xavier for the
            fusion conv, zero biases).

    Example:
        >>> import torch
        >>> stem = MultiScaleConvStem(kernel_sizes=(3, 5), out_channels=8)
        >>> stem(torch.rand(2, 3, 32, 32)).shape
        torch.Size([2, 8, 32, 32])
    """

    def __init__(self,
                 in_channels: int = 3,
                 branch_channels: int = 16,
                 out_channels: int = 16,
                 kernel_sizes: Sequence[int] = (3, 5, 7),
                 dilations: Optional[Sequence[int]] = None,
                 fusion: str = 'concat',
                 norm_cfg: Optional[dict] = None,
                 act_cfg: dict = dict(type='GELU'),
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        kernel_sizes = tuple(kernel_sizes)
        if len(kernel_sizes) == 0:
            raise ValueError('`kernel_sizes` needs at least one kernel size.')
        if dilations is None:
            dilations = (1, ) * len(kernel_sizes)
        dilations = tuple(dilations)
        if len(dilations) != len(kernel_sizes):
            raise ValueError(
                f'Got {len(kernel_sizes)} kernel sizes but {len(dilations)} '
                'dilations; give one dilation per branch.')
        for k, d in zip(kernel_sizes, dilations):
            if k < 1 or k % 2 == 0 or d < 1:
                raise ValueError(
                    'Kernel sizes must be odd and positive and dilations '
                    f'positive for "same" padding, got k={k}, d={d}.')
        if fusion not in ('concat', 'sum'):
            raise ValueError(
                f'`fusion` must be "concat" or "sum", got "{fusion}".')
        if norm_cfg is not None and norm_cfg.get('type') not in \
                _PER_PIXEL_NORMS:
            raise ValueError(
                f'The stem only supports per-pixel norms {_PER_PIXEL_NORMS} '
                f'or None, got {norm_cfg}. Norms pooling over space or batch '
                'would leak masked pixels into visible tokens.')

        self.in_channels = in_channels
        self.branch_channels = branch_channels
        self.out_channels = out_channels
        self.kernel_sizes = kernel_sizes
        self.dilations = dilations
        self.fusion = fusion

        self.branches = nn.ModuleList()
        for k, d in zip(kernel_sizes, dilations):
            layers = [
                nn.Conv2d(
                    in_channels,
                    branch_channels,
                    kernel_size=k,
                    padding=d * (k - 1) // 2,
                    dilation=d)
            ]
            if norm_cfg is not None:
                layers.append(build_norm_layer(norm_cfg, branch_channels))
            layers.append(build_activation_layer(act_cfg))
            self.branches.append(nn.Sequential(*layers))

        fused_channels = branch_channels * (
            len(kernel_sizes) if fusion == 'concat' else 1)
        self.fuse = nn.Conv2d(fused_channels, out_channels, kernel_size=1)

    @property
    def radius(self) -> int:
        """int: How many pixels away an output pixel can see."""
        return max(d * (k - 1) // 2
                   for k, d in zip(self.kernel_sizes, self.dilations))

    def init_weights(self) -> None:
        """Kaiming-init the branches and Xavier-init the fusion conv."""
        super().init_weights()
        if self.init_cfg is not None:
            return
        for branch in self.branches:
            conv = branch[0]
            nn.init.kaiming_normal_(
                conv.weight, mode='fan_out', nonlinearity='relu')
            nn.init.zeros_(conv.bias)
        nn.init.xavier_uniform_(self.fuse.weight)
        nn.init.zeros_(self.fuse.bias)

    def _fuse(self, outs: List[torch.Tensor]) -> torch.Tensor:
        if self.fusion == 'concat':
            fused = torch.cat(outs, dim=1)
        else:
            fused = torch.stack(outs, dim=0).sum(dim=0)
        return self.fuse(fused)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map ``(N, in_channels, H, W)`` to ``(N, out_channels, H, W)``."""
        return self._fuse([branch(x) for branch in self.branches])

    def forward_crops(self, crops: torch.Tensor) -> torch.Tensor:
        """Stem output at the inner pixels of crops with a halo.

        Each crop is a window of the zero-padded image that extends
        :attr:`radius` pixels beyond the region wanted on every side. The
        branches run without padding (each on the part of the halo its own
        kernel reaches), so the result equals :meth:`forward` of the whole
        image at those pixels, image borders included (the halo there holds
        the zero padding that :meth:`forward` would add).

        Args:
            crops (Tensor): ``(B, in_channels, h + 2r, w + 2r)`` with
                ``r = radius``.

        Returns:
            Tensor: ``(B, out_channels, h, w)``.

        Example:
            >>> import torch
            >>> import torch.nn.functional as F
            >>> stem = MultiScaleConvStem(kernel_sizes=(3, 5))
            >>> x = torch.rand(1, 3, 16, 16)
            >>> crop = F.pad(x, [stem.radius] * 4)[..., 0:12, 4:16]
            >>> torch.allclose(stem.forward_crops(crop),
            ...                stem(x)[..., 0:8, 4:12], atol=1e-5)
            True
        """
        radius = self.radius
        outs = []
        for branch, k, d in zip(self.branches, self.kernel_sizes,
                                self.dilations):
            trim = radius - d * (k - 1) // 2
            inner = crops[..., trim:crops.shape[-2] - trim,
                          trim:crops.shape[-1] - trim]
            conv = branch[0]
            out = F.conv2d(
                inner, conv.weight, conv.bias, dilation=conv.dilation)
            for layer in branch[1:]:
                out = layer(out)
            outs.append(out)
        return self._fuse(outs)


def _has_pretrained_init(init_cfg: Optional[Union[dict, List[dict]]]) -> bool:
    """Whether an ``init_cfg`` loads a checkpoint."""
    if init_cfg is None:
        return False
    cfgs = [init_cfg] if isinstance(init_cfg, dict) else list(init_cfg)
    return any(cfg.get('type') == 'Pretrained' for cfg in cfgs)


@MODELS.register_module()
class MultiScaleMAEViT(MAEViT):
    """MAE ViT encoder with a multi-scale convolution stem.

    The input image first goes through :class:`MultiScaleConvStem` (parallel
    convolutions with kernel sizes ``ms_kernel_sizes``, fused into
    ``ms_out_channels`` channels at full resolution); the usual patch
    embedding (a convolution whose kernel and stride equal the patch size)
    then turns that map into tokens for the transformer.

    Two forward modes, as in MMPretrain's
    :class:`~mmpretrain.models.selfsup.MAEViT`:

    - ``forward(x, mask=True)``: MAE pretraining. A random
      mask is drawn at the patch grid first (same sampling as
      ``MAEViT.random_masking``, so the same seed gives the same mask); the
      pixels of masked patches are set to zero (the dataset mean, inputs
      being normalised) *before* the stem, the stem and patch embedding run,
      and only the visible tokens (plus position embedding) and the class
      token enter the transformer. Because the patch embedding does not
      overlap patches and masked pixels are zero, no pixel of a masked patch
      reaches a visible token. With ``ms_visible_only=True`` (default) the
      stem and patch embedding run on the visible patches alone, each with
      a halo of the stem's radius: the same tokens as running them on the
      whole masked image (equal up to float rounding), for about half the
      stem's work at a 75 % mask ratio (ViT-B/16, 7x7 branch) and a patch
      embedding written as one matrix product. Returns
      ``(latent, mask, ids_restore)``:
      ``latent`` ``(N, 1 + L_visible, C)`` with the class token first,
      ``mask`` ``(N, L)`` with 1 for masked patches and ``ids_restore``
      ``(N, L)``, ready for ``MAEPretrainDecoder`` and ``MAEPretrainHead``.
      The input size must equal ``img_size``.
    - ``forward(x, mask=None)`` or ``mask=False``: no masking; the whole
      image goes through stem and ViT and the output follows
      :class:`~mmpretrain.models.backbones.VisionTransformer` (a tuple with
      one item per ``out_indices`` entry, formatted by ``out_type``).

    ``forward(x)`` without ``mask`` picks the mode from ``mask_by_default``.
    MMPretrain's ``MAE`` algorithm calls ``backbone(inputs)`` and needs the
    masked mode, while ``ImageClassifier`` (fine-tuning) and a frozen
    teacher (e.g. ``LatentDistilledMAE.target_generator``) call it the same
    way and need the plain mode, so the default cannot be fixed as in
    ``MAEViT`` (always masked): set ``mask_by_default=True`` in pretraining
    configs (``configs/_base_/models/ms-mae_vit-tiny-p8_pretrain.py`` does)
    and leave it False elsewhere. ``mask=None`` always means no masking
    (``MAE.extract_feat`` relies on it).

    Design choices:

    - The stem has no normalisation by default; ``ms_norm_cfg=dict(
      type='LN2d')`` adds a LayerNorm over the channels of each pixel.
      Norms with spatial or batch statistics are refused, since they would
      leak masked pixels into visible tokens (and BN mixes images).
    - The position embedding is the fixed 2D sin-cos table of MAE. With
      ``fix_pos_embed=True`` (default) it stays frozen in fine-tuning too;
      it is still stored in the state dict, so a pretrain checkpoint loads
      without missing keys and a different fine-tuning resolution gets the
      table bicubically resized. Set ``fix_pos_embed=False`` to fine-tune it
      (MMPretrain's MAE fine-tuning recipe).
    - With a ``Pretrained`` ``init_cfg`` nothing is re-initialized after
      loading (unlike ``MAEViT.init_weights``, which always rewrites the
      position embedding, patch embedding and class token).
    - ``out_type='avg_featmap'`` adds a LayerNorm ``ln2`` that a pretrain
      checkpoint (``out_type='raw'``) does not hold; it keeps its fresh
      initialization.

    Args:
        arch (str | dict): ``'tiny'`` (64 dims, 2 layers, 2 heads, for
            tests), ``'small'`` (384, 12, 6), ``'base'`` (768, 12, 12) or
            ``'large'`` (1024, 24, 16), or a dict with keys ``embed_dims``,
            ``num_layers``, ``num_heads`` and ``feedforward_channels``.
            Defaults to ``'base'``.
        img_size (int | tuple): Input size. Defaults to 224.
        patch_size (int | tuple): Patch size. Defaults to 16.
        in_channels (int): Image channels. Defaults to 3.
        out_indices (Sequence[int] | int): Layers whose output is returned
            when not masking. Defaults to -1 (the last).
        drop_rate (float): Dropout after the position embedding and in the
            layers. Defaults to 0.
        drop_path_rate (float): Stochastic depth rate. Defaults to 0.
        norm_cfg (dict): Norm of the transformer. Defaults to
            ``dict(type='LN', eps=1e-6)``.
        final_norm (bool): Whether to normalise the last layer's output.
            Defaults to True.
        out_type (str): ``'raw'``, ``'cls_token'``, ``'featmap'`` or
            ``'avg_featmap'``, used without masking. Defaults to ``'raw'``.
        interpolate_mode (str): Position embedding resize mode.
            Defaults to ``'bicubic'``.
        patch_cfg (dict): Extra patch embedding configs; kernel size and
            stride must stay equal. Defaults to ``dict()``.
        layer_cfgs (Sequence[dict] | dict): Extra transformer layer configs.
            Defaults to ``dict()``.
        mask_ratio (float): Fraction of masked patches. Defaults to 0.75.
        ms_kernel_sizes (Sequence[int]): Kernel sizes of the stem branches.
            Defaults to ``(3, 5, 7)``.
        ms_dilations (Sequence[int], optional): Dilations of the branches;
            None means 1 each. Defaults to None.
        ms_branch_channels (int): Channels of every branch. Defaults to 16.
        ms_out_channels (int): Channels of the fused stem output, i.e. the
            input channels of the patch embedding. Defaults to 16.
        ms_fusion (str): ``'concat'`` or ``'sum'``. Defaults to
            ``'concat'``.
        ms_norm_cfg (dict, optional): None or ``dict(type='LN2d')``.
            Defaults to None.
        ms_act_cfg (dict): Activation of the branches. Defaults to
            ``dict(type='GELU')``.
        fix_pos_embed (bool): Keep the sin-cos position embedding frozen.
            Defaults to True.
        mask_by_default (bool): Whether ``forward(x)`` without ``mask``
            masks (pretraining). Defaults to False (fine-tuning / teacher).
        ms_visible_only (bool): In the masked forward, run the stem and the
            patch embedding on the visible patches (with a halo of the
            stem's radius) instead of the whole masked image. Same result,
            less work; False is the reference path. Defaults to True.
        init_cfg (dict | list[dict], optional): Initialization config.
            Defaults to None.

    Example:
        >>> # MAE pretraining (teacher of MAE-MS-KD)
        >>> model = dict(
        ...     type='MAE',
        ...     backbone=dict(type='MultiScaleMAEViT', arch='base',
        ...                   patch_size=16, mask_ratio=0.75,
        ...                   ms_kernel_sizes=(3, 5, 7),
        ...                   mask_by_default=True),
        ...     neck=dict(type='MAEPretrainDecoder', patch_size=16,
        ...               embed_dim=768, decoder_embed_dim=512,
        ...               decoder_depth=8, decoder_num_heads=16),
        ...     head=dict(type='MAEPretrainHead', norm_pix=True,
        ...               patch_size=16,
        ...               loss=dict(type='PixelReconstructionLoss',
        ...                         criterion='L2')))
        >>> # Fine-tuning from the pretrain checkpoint
        >>> backbone = dict(
        ...     type='MultiScaleMAEViT', arch='base', out_type='cls_token',
        ...     drop_path_rate=0.1,
        ...     init_cfg=dict(type='Pretrained', prefix='backbone.',
        ...                   checkpoint='work_dirs/ms-mae/epoch_400.pth'))
    """

    arch_zoo = {
        **dict.fromkeys(
            ['t', 'tiny'], {
                'embed_dims': 64,
                'num_layers': 2,
                'num_heads': 2,
                'feedforward_channels': 256
            }),
        **dict.fromkeys(
            ['s', 'small'], {
                'embed_dims': 384,
                'num_layers': 12,
                'num_heads': 6,
                'feedforward_channels': 1536
            }),
        **dict.fromkeys(
            ['b', 'base'], {
                'embed_dims': 768,
                'num_layers': 12,
                'num_heads': 12,
                'feedforward_channels': 3072
            }),
        **dict.fromkeys(
            ['l', 'large'], {
                'embed_dims': 1024,
                'num_layers': 24,
                'num_heads': 16,
                'feedforward_channels': 4096
            }),
    }

    def __init__(self,
                 arch: Union[str, dict] = 'base',
                 img_size: Union[int, Tuple[int, int]] = 224,
                 patch_size: Union[int, Tuple[int, int]] = 16,
                 in_channels: int = 3,
                 out_indices: Union[Sequence[int], int] = -1,
                 drop_rate: float = 0.,
                 drop_path_rate: float = 0.,
                 norm_cfg: dict = dict(type='LN', eps=1e-6),
                 final_norm: bool = True,
                 out_type: str = 'raw',
                 interpolate_mode: str = 'bicubic',
                 patch_cfg: dict = dict(),
                 layer_cfgs: Union[Sequence[dict], dict] = dict(),
                 mask_ratio: float = 0.75,
                 ms_kernel_sizes: Sequence[int] = (3, 5, 7),
                 ms_dilations: Optional[Sequence[int]] = None,
                 ms_branch_channels: int = 16,
                 ms_out_channels: int = 16,
                 ms_fusion: str = 'concat',
                 ms_norm_cfg: Optional[dict] = None,
                 ms_act_cfg: dict = dict(type='GELU'),
                 fix_pos_embed: bool = True,
                 mask_by_default: bool = False,
                 ms_visible_only: bool = True,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        if not 0 <= mask_ratio < 1:
            raise ValueError(f'`mask_ratio` must be in [0, 1), got '
                             f'{mask_ratio}.')
        # VisionTransformer rewrites negative indices in place.
        out_indices = [out_indices] if isinstance(out_indices,
                                                  int) else list(out_indices)
        # The stem output, not the image, is what the patch embedding sees.
        patch_cfg = dict(patch_cfg)
        patch_cfg['in_channels'] = ms_out_channels
        super().__init__(
            arch=arch,
            img_size=img_size,
            patch_size=patch_size,
            out_indices=out_indices,
            drop_rate=drop_rate,
            drop_path_rate=drop_path_rate,
            norm_cfg=norm_cfg,
            final_norm=final_norm,
            out_type=out_type,
            interpolate_mode=interpolate_mode,
            patch_cfg=patch_cfg,
            layer_cfgs=layer_cfgs,
            mask_ratio=mask_ratio,
            init_cfg=init_cfg)

        proj = self.patch_embed.projection
        if tuple(proj.kernel_size) != tuple(proj.stride) or any(
                p != 0 for p in to_2tuple(proj.padding)):
            raise ValueError(
                'The patch embedding must not overlap patches (kernel size '
                '== stride, no padding), otherwise masked pixels leak into '
                'visible tokens.')
        self.patch_size = tuple(proj.stride)
        self.in_channels = in_channels

        self.ms_stem = MultiScaleConvStem(
            in_channels=in_channels,
            branch_channels=ms_branch_channels,
            out_channels=ms_out_channels,
            kernel_sizes=ms_kernel_sizes,
            dilations=ms_dilations,
            fusion=ms_fusion,
            norm_cfg=ms_norm_cfg,
            act_cfg=ms_act_cfg)

        self.fix_pos_embed = fix_pos_embed
        self.pos_embed.requires_grad = not fix_pos_embed
        self.mask_by_default = mask_by_default
        self.ms_visible_only = ms_visible_only

    def init_weights(self) -> None:
        """Load a checkpoint, or apply the MAE initialization.

        Without a ``Pretrained`` ``init_cfg``: sin-cos position embedding,
        Xavier patch embedding, ``N(0, 0.02)`` class token, and the stem's
        own initialization. With one, the loaded weights are kept as they
        are.
        """
        already_done = self._is_init
        # Skip VisionTransformer/MAEViT.init_weights: both overwrite weights
        # that a checkpoint may have just loaded.
        BaseModule.init_weights(self)
        if already_done or _has_pretrained_init(self.init_cfg):
            return
        pos_embed = build_2d_sincos_position_embedding(
            self.patch_resolution,
            self.pos_embed.shape[-1],
            cls_token=True)
        self.pos_embed.data.copy_(pos_embed.float())
        w = self.patch_embed.projection.weight.data
        nn.init.xavier_uniform_(w.view([w.shape[0], -1]))
        nn.init.normal_(self.cls_token, std=.02)

    def sample_mask(
        self, batch_size: int, device: Union[str, torch.device]
    ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Draw the random patch mask of MAE.

        Uses the same random draws as ``MAEViT.random_masking``, so under
        the same seed both give the same mask.

        Args:
            batch_size (int): Number of images N.
            device (str | torch.device): Device of the outputs.

        Returns:
            Tuple[Tensor, Tensor, Tensor]: ``ids_keep`` ``(N, L_visible)``
            (visible patch indices), ``mask`` ``(N, L)`` (1 = masked, float)
            and ``ids_restore`` ``(N, L)``.
        """
        num_patches = self.patch_resolution[0] * self.patch_resolution[1]
        len_keep = int(num_patches * (1 - self.mask_ratio))
        noise = torch.rand(batch_size, num_patches, device=device)
        # Patches with the smallest noise stay visible.
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :len_keep]
        mask = torch.ones(batch_size, num_patches, device=device)
        mask[:, :len_keep] = 0
        mask = torch.gather(mask, dim=1, index=ids_restore)
        return ids_keep, mask, ids_restore

    def mask_pixels(self, x: torch.Tensor,
                    mask: torch.Tensor) -> torch.Tensor:
        """Zero the pixels of masked patches.

        Args:
            x (Tensor): Images ``(N, C, H, W)`` covering the patch grid.
            mask (Tensor): ``(N, L)`` patch mask, 1 = masked.

        Returns:
            Tensor: The images with every masked patch set to 0.
        """
        h, w = self.patch_resolution
        ph, pw = self.patch_size
        keep = (1 - mask).reshape(-1, 1, h, w).to(x.dtype)
        keep = keep.repeat_interleave(ph, dim=2).repeat_interleave(pw, dim=3)
        return x * keep

    def embed_visible_patches(self, x: torch.Tensor,
                              ids_keep: torch.Tensor) -> torch.Tensor:
        """Stem and patch embedding of the visible patches only.

        Every visible patch is cut from the zero-padded image together with
        a halo of the stem's radius, the stem runs on these crops without
        padding (:meth:`MultiScaleConvStem.forward_crops`) and the patch
        embedding turns each ``patch_size`` output into one token. The halo
        reaches into neighbouring patches; masked ones hold zeros
        (:meth:`mask_pixels` runs first), so the tokens equal those of the
        whole-image path.

        Args:
            x (Tensor): Masked images ``(N, C, H, W)`` of size ``img_size``.
            ids_keep (Tensor): ``(N, L_visible)`` visible patch indices.

        Returns:
            Tensor: Tokens ``(N, L_visible, embed_dims)`` without position
            embedding, in the order of ``ids_keep``.
        """
        radius = self.ms_stem.radius
        ph, pw = self.patch_size
        grid_w = self.patch_resolution[1]
        padded = F.pad(x, (radius, radius, radius, radius))
        # (N, grid_h, grid_w, C, ph + 2r, pw + 2r): overlapping windows, a
        # view of `padded`; only the visible ones are copied out.
        windows = padded.unfold(2, ph + 2 * radius, ph).unfold(
            3, pw + 2 * radius, pw).permute(0, 2, 3, 1, 4, 5)
        batch_index = torch.arange(x.shape[0], device=x.device)[:, None]
        crops = windows[batch_index, ids_keep // grid_w, ids_keep % grid_w]
        feats = self.ms_stem.forward_crops(crops.flatten(0, 1))
        # One patch per crop: the patch embedding convolution is a matrix
        # product here. Written as one, because oneDNN's convolution
        # backward for this shape is ~20x slower than the matmul on CPUs.
        proj = self.patch_embed.projection
        tokens = F.linear(feats.flatten(1), proj.weight.flatten(1), proj.bias)
        if self.patch_embed.norm is not None:
            tokens = self.patch_embed.norm(tokens)
        return tokens.reshape(*ids_keep.shape, -1)

    def forward(
        self,
        x: torch.Tensor,
        mask: Union[bool, None, str] = 'auto'
    ) -> Union[Tuple[torch.Tensor, torch.Tensor, torch.Tensor],
               Tuple[torch.Tensor, ...]]:
        """Masked (pretraining) or plain (fine-tuning) forward.

        Args:
            x (Tensor): Images ``(N, C, H, W)``.
            mask (bool | str, optional): True masks patches as in MAE; None
                or False runs the whole image; ``'auto'`` follows
                ``mask_by_default``. Defaults to ``'auto'``.

        Returns:
            tuple: ``(latent, mask, ids_restore)`` when masking, otherwise
            the :class:`VisionTransformer` output tuple.
        """
        if isinstance(mask, str):
            if mask != 'auto':
                raise ValueError(f'Unknown mask mode "{mask}".')
            mask = self.mask_by_default
        if not mask:
            return VisionTransformer.forward(self, self.ms_stem(x))

        batch_size, _, height, width = x.shape
        grid_h, grid_w = self.patch_resolution
        ph, pw = self.patch_size
        if (height, width) != (grid_h * ph, grid_w * pw):
            raise ValueError(
                f'Masked forward needs {grid_h * ph}x{grid_w * pw} inputs '
                f'(img_size), got {height}x{width}.')

        ids_keep, patch_mask, ids_restore = self.sample_mask(
            batch_size, x.device)
        x = self.mask_pixels(x, patch_mask)
        keep = ids_keep.unsqueeze(-1).expand(-1, -1, self.embed_dims)
        pos_embed = self.pos_embed[:, 1:, :].expand(batch_size, -1, -1)
        if self.ms_visible_only:
            x = self.embed_visible_patches(x, ids_keep)
        else:
            x = torch.gather(
                self.patch_embed(self.ms_stem(x))[0], dim=1, index=keep)
        x = x + torch.gather(pos_embed, dim=1, index=keep)

        cls_token = self.cls_token + self.pos_embed[:, :1, :]
        x = torch.cat((cls_token.expand(batch_size, -1, -1), x), dim=1)
        x = self.drop_after_pos(x)
        x = self.pre_norm(x)
        for layer in self.layers:
            x = layer(x)
        if self.final_norm:
            x = self.ln1(x)
        return x, patch_mask, ids_restore

    def get_layer_depth(self,
                        param_name: str,
                        prefix: str = '') -> Tuple[int, int]:
        """Layer depth of a parameter for layer-wise lr decay.

        Stem, patch embedding, class token and position embedding are depth
        0, transformer layer ``i`` is depth ``i + 1``, everything else
        (final norm, and modules outside ``prefix`` such as the head) is
        ``num_layers + 1``.

        Args:
            param_name (str): Parameter name.
            prefix (str): Prefix of the backbone's parameters, e.g.
                ``'backbone.'``. Defaults to ``''``.

        Returns:
            Tuple[int, int]: The layer depth and the number of depths
            (``num_layers + 2``).
        """
        num_depths = self.num_layers + 2
        if not param_name.startswith(prefix):
            return num_depths - 1, num_depths
        name = param_name[len(prefix):]
        if name in ('cls_token', 'pos_embed') or name.startswith(
            ('ms_stem.', 'patch_embed.', 'pre_norm.')):
            return 0, num_depths
        if name.startswith('layers.'):
            return int(name.split('.')[1]) + 1, num_depths
        return num_depths - 1, num_depths
