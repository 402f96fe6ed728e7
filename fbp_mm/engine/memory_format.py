# Copyright (c) fbp_mm contributors. All rights reserved.
"""Channels-last memory format for a model and its batches.

Convolutions (the CNN students and teachers, the multi-scale stem of the
MS-MAE) run faster on channels-last tensors on GPUs with tensor cores and
with oneDNN on CPUs. ``channels_last = True`` in a config makes
:class:`~fbp_mm.engine.FbpRunner` call :func:`use_channels_last`.
"""
import torch
import torch.nn as nn

__all__ = ['use_channels_last']


def _to_channels_last(module: nn.Module, args, output):
    """Forward hook of a data preprocessor: 4-D ``inputs`` channels-last."""
    if isinstance(output, dict):
        inputs = output.get('inputs')
        if isinstance(inputs, torch.Tensor) and inputs.dim() == 4:
            output['inputs'] = inputs.contiguous(
                memory_format=torch.channels_last)
    return output


def use_channels_last(model: nn.Module) -> nn.Module:
    """Put a model's 4-D weights and its preprocessed batches in
    channels-last memory format (values unchanged).

    Args:
        model (nn.Module): A model with a ``data_preprocessor`` (MMEngine
            ``BaseModel``); without one only the weights change.

    Returns:
        nn.Module: ``model``, changed in place.

    Example:
        >>> # in a config: channels_last = True
    """
    model.to(memory_format=torch.channels_last)
    preprocessor = getattr(model, 'data_preprocessor', None)
    if isinstance(preprocessor, nn.Module) and not getattr(
            preprocessor, '_fbp_channels_last', False):
        preprocessor.register_forward_hook(_to_channels_last)
        preprocessor._fbp_channels_last = True
    return model
