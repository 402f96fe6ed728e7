# Copyright (c) fbp_mm contributors. All rights reserved.
"""Inference-only rewrites of MMPretrain blocks that leave the scores alone.

Two pieces of work in MMPretrain's ConvNeXt and EdgeNeXt blocks are the
same on every call of a trained network:

- the layer scale ``gamma`` after a block's last pointwise layer is a
  per-channel factor, so it can live in that layer's weights and bias
  (:func:`fold_layer_scales`): one elementwise pass over the block's
  output less per block;
- EdgeNeXt's Fourier position encoding depends on the input's shape only
  (sines of pixel coordinates through a 1 x 1 convolution), so it can be
  computed once per shape (:class:`CachedPositionEncodingFourier`).

And in MMPretrain's ResNets a batch norm in eval mode is a per-channel
affine map of the convolution before it, so it can live in that
convolution's weights and bias (:func:`fold_batch_norms`, MMCV's
``fuse_conv_bn`` on the networks where it is known to pair each norm with
the convolution that feeds it).

:func:`fuse_for_inference` does all three. The scores change by float
rounding only (the factor is applied before the sum instead of after it);
the state-dict keys stay the same, except that a folded ``gamma`` is gone
and a folded norm leaves an ``nn.Identity`` (no keys) behind.
"""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import fuse_conv_bn
from mmpretrain.models.backbones import (ResNet, ResNet_CIFAR, ResNetV1c,
                                         ResNetV1d, ResNeXt, SEResNet,
                                         SEResNeXt)
from mmpretrain.models.backbones.convnext import ConvNeXtBlock
from mmpretrain.models.backbones.edgenext import SDTAEncoder
from mmpretrain.models.utils import PositionEncodingFourier

__all__ = ['CachedPositionEncodingFourier', 'fold_layer_scales',
           'cache_position_encodings', 'fold_batch_norms',
           'fuse_for_inference', 'BATCH_NORM_FOLDABLE']

#: Backbones (exact types) whose modules are registered in the order their
#: forward runs them, each batch norm right after the convolution that
#: feeds it: MMCV's ``fuse_conv_bn`` pairs a norm with the convolution
#: registered before it, which is right for these (tested one by one) and
#: wrong in general (an ``mmcv.cnn.ConvModule`` with
#: ``order=('norm', 'conv', 'act')`` registers its convolution first).
BATCH_NORM_FOLDABLE = (ResNet, ResNetV1c, ResNetV1d, ResNeXt, SEResNet,
                       SEResNeXt, ResNet_CIFAR)

#: Input shapes a cached position encoding keeps before it starts over.
MAX_CACHED_SHAPES = 8


def _scale_output_channels(layer: nn.Module, scale: torch.Tensor) -> None:
    """Multiply the outputs of a linear or 1 x 1 conv layer by ``scale``."""
    with torch.no_grad():
        shape = (-1, ) + (1, ) * (layer.weight.dim() - 1)
        layer.weight.mul_(scale.to(layer.weight).view(shape))
        if layer.bias is not None:
            layer.bias.mul_(scale.to(layer.bias))


def fold_layer_scales(module: nn.Module) -> int:
    """Fold the layer scales of ConvNeXt and EdgeNeXt blocks into weights.

    In MMPretrain's ``ConvNeXtBlock`` and EdgeNeXt's ``SDTAEncoder`` the
    block's output is ``gamma * pointwise_conv2(...)``; afterwards it is
    ``pointwise_conv2'(...)`` with ``gamma`` in the layer's weights and bias,
    and the block's ``gamma`` is None (both blocks then skip the product).
    The attention branch's ``gamma_csa`` of an ``SDTAEncoder`` is applied
    unconditionally by MMPretrain and stays. Training a folded network
    trains a different parametrisation: fold copies for inference only.

    Args:
        module (nn.Module): A network, folded in place.

    Returns:
        int: Number of layer scales folded.

    Example:
        >>> import torch
        >>> from mmpretrain.models.backbones.convnext import ConvNeXtBlock
        >>> block = ConvNeXtBlock(8, layer_scale_init_value=0.5).eval()
        >>> x = torch.randn(1, 8, 6, 6)
        >>> with torch.no_grad():
        ...     before = block(x)
        ...     count = fold_layer_scales(block)
        ...     after = block(x)
        >>> count, block.gamma, torch.allclose(before, after, atol=1e-6)
        (1, None, True)
    """
    folded = 0
    for block in module.modules():
        if not isinstance(block, (ConvNeXtBlock, SDTAEncoder)):
            continue
        gamma = getattr(block, 'gamma', None)
        if gamma is None:
            continue
        _scale_output_channels(block.pointwise_conv2, gamma.detach())
        block.gamma = None
        folded += 1
    return folded


class CachedPositionEncodingFourier(PositionEncodingFourier):
    """MMPretrain's Fourier position encoding, computed once per shape.

    In inference (eval mode, gradients off, not being traced or compiled)
    the encoding of a ``(B, H, W)`` shape is kept and handed out again
    (one per inference-mode and autocast setting), as long as the
    projection's weights are the same tensors at the same
    version (an in-place update, ``load_state_dict`` included, or a move to
    another device or dtype computes it anew). Otherwise it is computed as
    MMPretrain computes it. The state dict is the parent's.

    Use :func:`cache_position_encodings` to switch the encodings of a built
    network to this class.

    Example:
        >>> import torch
        >>> encoding = CachedPositionEncodingFourier(embed_dims=8).eval()
        >>> with torch.no_grad():
        ...     first = encoding((1, 4, 4))
        ...     again = encoding((1, 4, 4))
        >>> again is first, tuple(first.shape)
        (True, (1, 8, 4, 4))
    """

    def _cache_key(self, bhw_shape) -> Optional[Tuple]:
        if self.training or torch.is_grad_enabled() or \
                torch.jit.is_tracing() or torch.jit.is_scripting() or \
                torch.onnx.is_in_onnx_export() or \
                torch.compiler.is_compiling():
            return None
        tensors = [self.proj.weight, self.proj.bias]
        device_type = self.proj.weight.device.type
        autocast = torch.is_autocast_enabled(device_type) and \
            torch.get_autocast_dtype(device_type)
        return (tuple(int(s) for s in bhw_shape),
                torch.is_inference_mode_enabled(), autocast) + tuple(
                    (t.data_ptr(), t._version, t.device, t.dtype)
                    for t in tensors if t is not None)

    def forward(self, bhw_shape) -> torch.Tensor:
        """The encoding of shape ``(B, H, W)``, from the cache when valid.

        Args:
            bhw_shape (tuple): Batch size, height and width.

        Returns:
            torch.Tensor: ``(B, embed_dims, H, W)``.
        """
        key = self._cache_key(bhw_shape)
        if key is None:
            return super().forward(bhw_shape)
        cache: Dict[Tuple, torch.Tensor] = self.__dict__.setdefault(
            '_encodings', {})
        encoding = cache.get(key)
        if encoding is None:
            if len(cache) >= MAX_CACHED_SHAPES:
                cache.clear()
            encoding = cache[key] = super().forward(bhw_shape)
        return encoding


def cache_position_encodings(module: nn.Module) -> int:
    """Make every Fourier position encoding in ``module`` cache its output.

    Args:
        module (nn.Module): A network (e.g. one with an EdgeNeXt backbone),
            changed in place: each ``PositionEncodingFourier`` becomes a
            :class:`CachedPositionEncodingFourier`, same weights.

    Returns:
        int: Number of encodings switched.
    """
    switched = 0
    for child in module.modules():
        if type(child) is PositionEncodingFourier:
            child.__class__ = CachedPositionEncodingFourier
            switched += 1
    return switched


def _batch_norms(module: nn.Module) -> int:
    return sum(isinstance(m, nn.modules.batchnorm._BatchNorm)
               for m in module.modules())


def fold_batch_norms(module: nn.Module) -> int:
    """Fold the batch norms of MMPretrain ResNets into their convolutions.

    Each backbone of one of the :data:`BATCH_NORM_FOLDABLE` types in
    ``module`` goes through MMCV's ``fuse_conv_bn``: a norm's running
    statistics and affine parameters are multiplied into the weights and
    bias of the convolution before it, and the norm becomes an
    ``nn.Identity``. The result equals the original in eval mode only (a
    norm in training mode normalises by the batch's statistics): fold a
    copy for inference. Other networks, and norms without running
    statistics, are left as they are.

    Args:
        module (nn.Module): A network, folded in place.

    Returns:
        int: Number of batch norms folded.

    Example:
        >>> import torch
        >>> from mmpretrain.models.backbones import ResNet
        >>> net = ResNet(18, base_channels=8, stem_channels=8)
        >>> net.eval()  # ResNet's train() returns None: no chaining
        >>> x = torch.randn(1, 3, 32, 32)
        >>> with torch.no_grad():
        ...     before = net(x)[-1]
        ...     count = fold_batch_norms(net)
        ...     after = net(x)[-1]
        >>> count, torch.allclose(before, after, atol=1e-5)
        (20, True)
    """
    folded = 0
    backbones = [m for m in module.modules()
                 if type(m) in BATCH_NORM_FOLDABLE]
    for backbone in backbones:
        if any(getattr(m, 'running_mean', 0) is None
               for m in backbone.modules()
               if isinstance(m, nn.modules.batchnorm._BatchNorm)):
            continue
        before = _batch_norms(backbone)
        fuse_conv_bn(backbone)
        folded += before - _batch_norms(backbone)
    return folded


def fuse_for_inference(module: nn.Module) -> Dict[str, int]:
    """:func:`fold_layer_scales`, :func:`cache_position_encodings` and
    :func:`fold_batch_norms`.

    Args:
        module (nn.Module): A network for inference, changed in place
            (fuse a copy to keep the original trainable).

    Returns:
        dict: ``layer_scales``, ``position_encodings`` and
        ``batch_norms``: how many of each.

    Example:
        >>> import torch
        >>> from mmpretrain.models.backbones import EdgeNeXt
        >>> net = EdgeNeXt('xxsmall', gap_before_final_norm=True)
        >>> net.eval()  # EdgeNeXt's train() returns None: no chaining
        >>> x = torch.randn(1, 3, 64, 64)
        >>> with torch.no_grad():
        ...     before = net(x)[-1]
        ...     counts = fuse_for_inference(net)
        ...     after = net(x)[-1]
        >>> counts
        {'layer_scales': 12, 'position_encodings': 1, 'batch_norms': 0}
        >>> torch.allclose(before, after, atol=1e-5)
        True
    """
    return dict(layer_scales=fold_layer_scales(module),
                position_encodings=cache_position_encodings(module),
                batch_norms=fold_batch_norms(module))
