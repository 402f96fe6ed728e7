# Copyright (c) fbp_mm contributors. All rights reserved.
"""A channel LayerNorm for images that leaves the memory layout alone."""
import torch
import torch.nn.functional as F
from mmpretrain.models.utils import LayerNorm2d
from mmpretrain.registry import MODELS

__all__ = ['LayerNorm2dKeepLayout']


@MODELS.register_module('LN2dKeepLayout')
class LayerNorm2dKeepLayout(LayerNorm2d):
    """MMPretrain's ``LN2d`` that returns channels-last input channels-last.

    MMPretrain's :class:`~mmpretrain.models.utils.LayerNorm2d` normalises a
    ``(N, C, H, W)`` tensor over ``C`` and then makes the result contiguous
    in the default (channels-first) layout. In a model running in
    channels-last memory format (``channels_last = True`` in a config) that
    is two copies per norm: one to channels-first here, one back in the next
    convolution. This norm gives back the layout it was given: channels-last
    in, channels-last out (no copy at all, since the normalisation runs on
    the ``(N, H, W, C)`` view); anything else behaves exactly as ``LN2d``.
    Parameters and state dict are ``LN2d``'s, so checkpoints load either
    way. Use it as ``norm_cfg=dict(type='LN2dKeepLayout', eps=1e-6)`` where
    a backbone takes ``LN2d`` (EdgeNeXt, ConvNeXt).

    Args:
        num_channels (int): Channels of the input.
        **kwargs: ``eps`` and ``elementwise_affine`` of ``nn.LayerNorm``.

    Example:
        >>> import torch
        >>> norm = LayerNorm2dKeepLayout(8)
        >>> x = torch.randn(2, 8, 5, 5).contiguous(
        ...     memory_format=torch.channels_last)
        >>> norm(x).is_contiguous(memory_format=torch.channels_last)
        True
    """

    def forward(self, x: torch.Tensor,
                data_format: str = 'channel_first') -> torch.Tensor:
        """Normalise over channels, keeping a channels-last layout."""
        if data_format == 'channel_first' and x.dim() == 4 and \
                x.is_contiguous(memory_format=torch.channels_last) and \
                not x.is_contiguous():
            out = F.layer_norm(
                x.permute(0, 2, 3, 1), self.normalized_shape, self.weight,
                self.bias, self.eps)
            return out.permute(0, 3, 1, 2)
        return super().forward(x, data_format)
