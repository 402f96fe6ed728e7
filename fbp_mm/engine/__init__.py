from .checkpoint_loading import (checkpoint_safe_globals,
                                 load_from_local_trusted,
                                 load_trusted_checkpoint,
                                 trusted_checkpoint_loading)
from .config_text import CachedTextConfig
from .fbp_runner import FbpRunner
from .fsdp_policies import transformer_layer_wrap_policy
from .fsdp_strategy import FbpFSDPStrategy
from .memory_format import use_channels_last
from .hooks import *  # noqa: F401,F403
from .state_dict_loading import (CheckpointMismatchError, StateDictMismatch,
                                 load_state_dict_reporting,
                                 load_weights_into_model)

__all__ = [
    'CachedTextConfig', 'CheckpointMismatchError', 'FbpFSDPStrategy',
    'FbpRunner',
    'StateDictMismatch',
    'checkpoint_safe_globals', 'load_from_local_trusted',
    'load_state_dict_reporting', 'load_trusted_checkpoint',
    'load_weights_into_model', 'trusted_checkpoint_loading',
    'transformer_layer_wrap_policy', 'use_channels_last'
]
