# Copyright (c) fbp_mm contributors. All rights reserved.
"""MMEngine's FSDP strategy, working on current PyTorch and on the CPU.

Fully sharded training goes through MMEngine's ``FlexibleRunner`` and its
``FSDPStrategy``, not through ``Runner`` with
``model_wrapper_cfg=dict(type='MMFullyShardedDataParallel')``: the plain
runner shards the model first and initialises its weights afterwards, when
each parameter is a flat shard, and weight initialisation fails
(``xavier_init`` on a 1-D tensor). The strategy initialises the weights
before sharding and saves and resumes full (unsharded) checkpoints on rank
0, which load into the plain model.

Three things of MMEngine 0.10.7's strategy are fixed here:

- resuming called ``FSDP.optim_state_dict_to_load`` with the arguments of
  an older PyTorch (``TypeError: unhashable type: 'dict'`` on resume);
- the optimizer wrapper's ``base_param_settings`` (the learning rate the
  log shows as ``base_lr``, scheduled like the parameter groups) was lost
  in FSDP's optimizer state, so after a resume the log showed the
  warm-up's first value scheduled on (1000 x too low);
- on a machine without a GPU the wrapper got ``device_id=LOCAL_RANK``,
  which FSDP reads as a CUDA device; it gets the CPU there, so the same
  config runs on the gloo backend (``torchrun ... --launcher pytorch``).

Example:
    >>> # in a config; launch with tools/dist_train.sh CONFIG GPUS
    >>> runner_type = 'FlexibleRunner'
    >>> strategy = dict(
    ...     type='FbpFSDPStrategy',
    ...     model_wrapper=dict(
    ...         auto_wrap_policy=dict(type='transformer_layer_wrap_policy')))
"""
import torch
from mmengine._strategy import FSDPStrategy
from mmengine.registry import STRATEGIES
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP

__all__ = ['FbpFSDPStrategy']


@STRATEGIES.register_module()
class FbpFSDPStrategy(FSDPStrategy):
    """:class:`mmengine._strategy.FSDPStrategy` that resumes on current
    PyTorch and runs on CPU-only machines.

    Args:
        *args: Arguments of :class:`~mmengine._strategy.FSDPStrategy`.
        **kwargs: Keyword arguments of
            :class:`~mmengine._strategy.FSDPStrategy` (``model_wrapper``,
            ``state_dict_cfg``, ``activation_checkpointing``, ...).
    """

    def _wrap_model(self, model: torch.nn.Module) -> torch.nn.Module:
        """Shard ``model``; on a machine without CUDA on the CPU."""
        if not torch.cuda.is_available():
            self.model_wrapper = dict(self.model_wrapper or {})
            self.model_wrapper['device_id'] = torch.device('cpu')
        return super()._wrap_model(model)

    def optim_state_dict(self) -> dict:
        """FSDP's optimizer state, with the wrapper's
        ``base_param_settings`` (which FSDP leaves out)."""
        state_dict = super().optim_state_dict()
        base = getattr(self.optim_wrapper, 'base_param_settings', None)
        if base is not None:
            state_dict['base_param_settings'] = base
        return state_dict

    def load_optim_state_dict(self, state_dict: dict) -> None:
        """Load an optimizer state saved by :meth:`optim_state_dict`.

        Args:
            state_dict (dict): The optimizer state of a checkpoint (full or
                sharded, as ``state_dict_cfg`` saved it).
        """
        state_dict = dict(state_dict)
        base = state_dict.pop('base_param_settings', None)
        optim_state_dict = FSDP.optim_state_dict_to_load(
            model=self.model,
            optim=self.optim_wrapper.optimizer,
            optim_state_dict=state_dict)
        self.optim_wrapper.load_state_dict(optim_state_dict)
        if base is not None:
            self.optim_wrapper.base_param_settings = base
