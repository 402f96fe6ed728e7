"""Config loading and model building of the benchmark."""
import copy
import os.path as osp
from typing import List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config

from ..complexity import deployed_module
from ..config_loading import load_config



def load_benchmark_config(config: Union[str, Config],
                          cfg_options: Optional[dict] = None) -> Config:
    """Read a config: a file, ``'package::rel/path.py'`` or a Config.

    Args:
        config (str | Config): A config file, a shipped config of an
            installed OpenMMLab package (``'mmpretrain::mae/mae_vit-base-
            p16_8xb512-amp-coslr-300e_in1k.py'``, ``'fbp_mm::fbp/...'``) or
            a loaded config (copied).
        cfg_options (dict, optional): Overrides, as ``--cfg-options``.

    Returns:
        Config: The config.

    Example:
        >>> cfg = load_benchmark_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py')
        >>> cfg.model.type
        'ImageClassifier'
    """
    if isinstance(config, Config):
        cfg = copy.deepcopy(config)
    elif osp.isfile(config) or '::' not in config:
        cfg = load_config(config)
    else:
        from fbp_mm.models.distillers import config_candidates
        found = [p for p in config_candidates(config) if osp.isfile(p)]
        if found:
            cfg = load_config(found[0])
        else:
            from mmengine.hub import get_config
            cfg = get_config(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def is_distiller(cfg: Config) -> bool:
    """Whether a config's model is a teacher-student distiller.

    Args:
        cfg (Config): The config.

    Returns:
        bool: True when ``cfg.model`` has a ``student`` and a ``teacher``.

    Example:
        >>> is_distiller(load_benchmark_config(
        ...     'configs/fbp/demo/mae_ms_kd_demo-faces.py'))
        True
    """
    model = cfg.get('model', None)
    return isinstance(model, dict) and 'student' in model \
        and 'teacher' in model


def _teacher_weights(cfg: Config) -> str:
    """Make a distiller config buildable without its teacher checkpoint.

    A ``teacher_ckpt`` that is a local file is kept (loaded as in
    training). Otherwise (unset, missing, or a URL, which a benchmark does
    not download) the distiller's own ``teacher_ckpt_optional`` switch lets
    the teacher keep random weights; the speed is the same.

    Returns:
        str: What the teacher's weights are, for the report.
    """
    ckpt = cfg.model.get('teacher_ckpt', None)
    if ckpt and '://' not in ckpt and osp.isfile(osp.expanduser(ckpt)):
        return f'teacher weights loaded from {ckpt}'
    cfg.model.teacher_ckpt = None
    cfg.model.teacher_ckpt_optional = True
    if not ckpt:
        return 'teacher has random weights (model.teacher_ckpt is not set)'
    return (f'teacher has random weights (teacher_ckpt {ckpt} not found or '
            'not local; timing is unaffected)')


def build_benchmark_model(cfg: Config,
                          device: Union[str, torch.device] = 'cpu'
                          ) -> Tuple[nn.Module, List[str]]:
    """Build a config's model on ``device`` without reading any weights.

    The model is built as :func:`fbp_mm.apis.build_model_from_config` does
    (the config's default scope; a top-level ``data_preprocessor`` handed
    to the model). ``init_weights`` is not called, so no ``init_cfg``
    (``Pretrained`` included) is applied and no checkpoint file is needed;
    a distiller's missing teacher checkpoint is handled by
    :func:`_teacher_weights`.

    Args:
        cfg (Config): The config (changed in place for a distiller's
            teacher checkpoint).
        device (str | torch.device): Where to put the model.

    Returns:
        tuple[nn.Module, list[str]]: The model (eval mode) and notes on
        its weights.

    Example:
        >>> cfg = load_benchmark_config(
        ...     'configs/fbp/demo/mae_ms_kd_demo-faces.py')
        >>> model, notes = build_benchmark_model(cfg)
        >>> type(model).__name__
        'TeacherStudentDistiller'
    """
    from fbp_mm.apis import build_model_from_config
    notes = ['weights: construction defaults (init_cfg not run, no '
             'pretrained file read)']
    if is_distiller(cfg):
        notes.append(_teacher_weights(cfg))
    model = build_model_from_config(cfg, device=device)
    return model, notes


# the network deployed: a distiller's student, else the model
_deployed = deployed_module


class _TensorForward(nn.Module):
    """``forward(x)`` is ``net(x)`` (``mode='tensor'`` of MMPretrain
    models), so FLOPs are counted on exactly the given network."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, inputs: torch.Tensor):
        return self.net(inputs)


def _is_selfsup(model: nn.Module) -> bool:
    from mmpretrain.models.selfsup import BaseSelfSupervisor
    return isinstance(model, BaseSelfSupervisor)
