"""MMEngine's runner, reading the checkpoints it is given as trusted files."""
from typing import Callable, Dict, Optional, Sequence, Tuple, Union

import torch.nn as nn
from mmengine.config import Config
from mmengine.model import is_model_wrapper
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from mmengine.runner.checkpoint import _load_checkpoint

from .checkpoint_loading import trusted_checkpoint_loading
from .config_text import CachedTextConfig
from .memory_format import use_channels_last
from .state_dict_loading import DEFAULT_REVISE_KEYS, load_weights_into_model

PARTIAL_LOAD_HINT = (
    'Pass the checkpoint trained with this config, or load only the weights '
    'that fit with --allow-partial-load (tools/test.py) or '
    '`strict_load = False` in the config.')


def refuse_fsdp_model_wrapper(model_wrapper_cfg: Optional[dict]) -> None:
    """Refuse an FSDP ``model_wrapper_cfg`` before any work, saying what
    works instead.

    ``Runner`` wraps the model first and initialises its weights in
    ``train()``, when FSDP has flattened every parameter into a shard:
    weight initialisation then fails (``xavier_init`` on a 1-D tensor), on
    GPUs and CPUs alike. MMEngine's ``FlexibleRunner`` with an FSDP strategy
    (:class:`~fbp_mm.engine.FbpFSDPStrategy`) initialises, then shards.

    Args:
        model_wrapper_cfg (dict, optional): The runner's wrapper config.

    Raises:
        ValueError: It names a fully sharded wrapper.
    """
    wrapper_type = str((model_wrapper_cfg or {}).get('type', ''))
    if 'FullySharded' in wrapper_type:
        raise ValueError(
            f'model_wrapper_cfg type {wrapper_type!r}: MMEngine\'s Runner '
            'initialises the weights after sharding them, which fails. '
            "Train fully sharded with runner_type = 'FlexibleRunner' and "
            "strategy = dict(type='FbpFSDPStrategy', model_wrapper=dict("
            "auto_wrap_policy=...)), as configs/fbp/"
            'ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces_fsdp.py does.')


@RUNNERS.register_module()
class FbpRunner(Runner):
    """A :class:`~mmengine.runner.Runner` whose checkpoint loading works on
    current PyTorch without changing it for the rest of the process.

    Building the model (a distiller's ``teacher_ckpt``), ``train()`` (with
    ``init_cfg=dict(type='Pretrained')``), ``val()``, ``test()``,
    ``load_checkpoint()`` and ``resume()`` run inside
    :func:`~fbp_mm.engine.trusted_checkpoint_loading`: local checkpoints are
    read weights-only with MMEngine's own types allowed, and in full (with a
    warning) only when a file holds other Python objects. Outside these
    calls MMEngine and ``torch.load`` behave as they always do.

    ``load_from`` (and ``load_checkpoint``) report the keys of a checkpoint
    that do not fit the model in one warning naming the file; with
    ``strict_load=True`` they raise
    :class:`~fbp_mm.engine.CheckpointMismatchError` instead.

    Select it from a config with ``runner_type = 'FbpRunner'``; MMPretrain's
    and ``mim``'s tools then build it, and ours always use it.

    Args:
        *args: Arguments of :class:`~mmengine.runner.Runner`.
        strict_load (bool, optional): Refuse a ``load_from`` checkpoint whose
            keys or shapes do not match the model. None takes
            ``strict_load`` from ``cfg`` (default False, MMEngine's
            behaviour).
        **kwargs: Keyword arguments of :class:`~mmengine.runner.Runner`.

    Example:
        >>> from mmengine.config import Config
        >>> cfg = Config.fromfile('configs/fbp/resnet18-w16_1xb32-20e_'
        ...                       'demo-faces.py')
        >>> cfg.work_dir = 'work_dirs/demo'
        >>> cfg.load_from = 'work_dirs/demo/epoch_20.pth'
        >>> cfg.strict_load = True
        >>> metrics = FbpRunner.from_cfg(cfg).test()  # doctest: +SKIP
    """

    def __init__(self,
                 *args,
                 strict_load: Optional[bool] = None,
                 **kwargs) -> None:
        cfg = kwargs.get('cfg')
        if cfg is not None:  # Runner reads the wrapper from its cfg
            refuse_fsdp_model_wrapper(cfg.get('model_wrapper_cfg'))
        if isinstance(cfg, Config):
            # formatted once, not at each log, dump and checkpoint
            kwargs['cfg'] = CachedTextConfig.from_config(cfg)
        super().__init__(*args, **kwargs)
        if strict_load is None:
            strict_load = bool(self.cfg.get('strict_load', False))
        self.strict_load = strict_load

    def build_model(self, model: Union[nn.Module, Dict]) -> nn.Module:
        """Build the model; checkpoints it reads itself are trusted. With
        ``channels_last = True`` in the config, its weights and batches
        are channels-last (:func:`~fbp_mm.engine.use_channels_last`)."""
        with trusted_checkpoint_loading():
            built = super().build_model(model)
        if self.cfg.get('channels_last', False):
            use_channels_last(built)
        return built

    def train(self) -> nn.Module:
        """Launch training, see :meth:`mmengine.runner.Runner.train`."""
        with trusted_checkpoint_loading():
            return super().train()

    def val(self) -> dict:
        """Launch validation, see :meth:`mmengine.runner.Runner.val`."""
        with trusted_checkpoint_loading():
            return super().val()

    def test(self) -> dict:
        """Launch testing, see :meth:`mmengine.runner.Runner.test`."""
        with trusted_checkpoint_loading():
            return super().test()

    def resume(self, *args, **kwargs) -> None:
        """Resume from a checkpoint, see
        :meth:`mmengine.runner.Runner.resume`."""
        with trusted_checkpoint_loading():
            super().resume(*args, **kwargs)

    def load_checkpoint(
        self,
        filename: str,
        map_location: Union[str, Callable] = 'cpu',
        strict: bool = False,
        revise_keys: Sequence[Tuple[str, str]] = DEFAULT_REVISE_KEYS
    ) -> dict:
        """Load the weights of a checkpoint into the model.

        Same steps as :meth:`mmengine.runner.Runner.load_checkpoint` (the
        ``after_load_checkpoint`` hooks see the checkpoint first), but keys
        that do not fit are reported together, naming the file, and refused
        when ``strict`` or :attr:`strict_load` is set.

        Args:
            filename (str): Local path or URI of the checkpoint.
            map_location (str | callable): Same as :func:`torch.load`.
                Defaults to ``'cpu'``.
            strict (bool): Refuse weights that do not fit, whatever
                :attr:`strict_load` says. Defaults to False.
            revise_keys (sequence[tuple[str, str]]): Regular-expression
                renames of the checkpoint keys. Defaults to dropping a
                leading ``module.`` (DDP).

        Returns:
            dict: The loaded checkpoint.

        Raises:
            CheckpointMismatchError: When strict and the weights do not fit.
        """
        with trusted_checkpoint_loading():
            checkpoint = _load_checkpoint(filename, map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(
            self.model) else self.model
        if not isinstance(checkpoint, dict):
            raise TypeError(f'Checkpoint {filename} holds a '
                            f'{type(checkpoint).__name__}, not a dict of '
                            'weights (or a dict with `state_dict`).')
        load_weights_into_model(
            model,
            checkpoint,
            filename,
            strict=strict or self.strict_load,
            revise_keys=revise_keys,
            hint=PARTIAL_LOAD_HINT)
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint
