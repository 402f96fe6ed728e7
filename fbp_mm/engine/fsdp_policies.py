# Copyright (c) fbp_mm contributors. All rights reserved.
"""Wrap policies for fully sharded data parallel training (FSDP).

MMEngine's ``MMFullyShardedDataParallel`` takes ``auto_wrap_policy`` by
name from MMEngine's ``FUNCTIONS`` registry; these are registered there.

Example:
    >>> # in a config, with tools/dist_train.sh CONFIG GPUS
    >>> model_wrapper_cfg = dict(
    ...     type='MMFullyShardedDataParallel',
    ...     auto_wrap_policy=dict(type='transformer_layer_wrap_policy'))
"""
from typing import Sequence

import torch.nn as nn
from mmengine.registry import FUNCTIONS

#: Layer classes each sharded as one FSDP unit by default: MMPretrain's
#: ViT layer, which the MAE / multi-scale MAE, ProS and Face-prior encoders
#: and MAE's decoder are made of.
TRANSFORMER_LAYERS = ('TransformerEncoderLayer', )


@FUNCTIONS.register_module()
def transformer_layer_wrap_policy(
        module: nn.Module,
        recurse: bool,
        nonwrapped_numel: int,
        layer_types: Sequence[str] = TRANSFORMER_LAYERS) -> bool:
    """Shard each transformer layer as its own FSDP unit.

    Args:
        module (nn.Module): The module FSDP asks about.
        recurse (bool): True while FSDP walks down the tree (always go on).
        nonwrapped_numel (int): Parameters not yet wrapped (unused).
        layer_types (Sequence[str]): Class names wrapped as units.
            Defaults to :data:`TRANSFORMER_LAYERS`.

    Returns:
        bool: Whether to descend (``recurse``) or to wrap ``module``.
    """
    if recurse:
        return True
    return type(module).__name__ in tuple(layer_types)
