"""Turn a distiller checkpoint into a checkpoint of the student alone."""
import os
import os.path as osp
from typing import Optional, Tuple, Union

import torch
from mmengine.config import Config

from ...engine.checkpoint_loading import load_trusted_checkpoint
from ...utils.config_loading import load_config
from .network_config import plain_copy, resolve_network_cfg
from .teacher_checkpoint import select_prefixed_state_dict

#: Prefix of the student's weights in a distiller's state dict.
STUDENT_PREFIX = 'student.'


def _is_distiller_only_key(key: str) -> bool:
    """Top-level config entries that only serve the distillation.

    By convention the distiller configs of fbp_mm keep their helper
    variables under names starting with ``teacher`` (``teacher_config``,
    ``teacher_ckpt``...) or ``kd_`` (``kd_recorders``, ``kd_losses``...).
    """
    return key.startswith(('teacher', 'kd_'))


def student_config(cfg: Union[Config, str]) -> Config:
    """The config of a distiller's student as a plain model config.

    Everything but the model is kept (data, evaluators, schedules,
    runtime), ``model`` becomes the resolved student model config (see
    :func:`resolve_network_cfg`), and the distiller's helper variables
    (top-level names starting with ``teacher`` or ``kd_``) are dropped. A
    ``data_preprocessor`` given inside the distiller's model config moves
    into the student's when the student has none, as the distiller
    normalises with it.

    Args:
        cfg (Config | str): The distiller's config, or its text (as
            MMEngine stores it in ``meta['cfg']``).

    Returns:
        Config: A config whose ``model`` builds the student alone.

    Raises:
        ValueError: If the config's model is not a distiller.

    Example:
        >>> cfg = student_config(Config.fromfile('configs/fbp/mae_ms_kd.py'))
        >>> cfg.model.type
        'ImageClassifier'
    """
    if isinstance(cfg, str):
        cfg = Config.fromstring(cfg, file_format='.py')
    model = cfg.get('model', None)
    if not isinstance(model, dict) or 'student' not in model:
        model_type = model.get('type') if isinstance(model, dict) else model
        raise ValueError(
            'Not a distiller config: its model (type '
            f'{model_type!r}) has no `student`.')
    student = resolve_network_cfg(model['student'])
    if model.get('data_preprocessor') is not None:
        student.setdefault('data_preprocessor',
                           plain_copy(model['data_preprocessor']))
    plain = {
        key: value
        for key, value in cfg.to_dict().items()
        if not _is_distiller_only_key(key) and key != 'model'
    }
    plain['model'] = student
    return Config(plain)


def extract_student_checkpoint(
        in_path: str,
        out_path: str,
        cfg: Optional[Union[Config, str]] = None,
        config_out: Optional[str] = None) -> Tuple[int, Optional[Config]]:
    """Write the student of a distiller checkpoint as its own checkpoint.

    The output holds ``state_dict`` (the ``student.*`` weights, prefix
    removed; no teacher, connector or loss weights) and ``meta``: the
    input's meta (epoch, dataset meta...) with ``cfg`` replaced by the
    student's plain config text (:func:`student_config`) and
    ``extracted_from`` added. Optimizer and scheduler states are not kept.
    So ``tools/test.py STUDENT_CONFIG OUT``, ``load_from=OUT`` and
    deployment work with the student's own config.

    Args:
        in_path (str): Checkpoint of a ``TeacherStudentDistiller``.
        out_path (str): Where to write the student checkpoint.
        cfg (Config | str, optional): The distiller's config (object or
            file), for checkpoints without ``meta['cfg']``. Defaults to
            None: use ``meta['cfg']``.
        config_out (str, optional): Also write the student's config to this
            ``.py`` file. Defaults to None.

    Returns:
        tuple[int, Config | None]: The number of tensors written and the
        student's config (None when neither ``cfg`` nor ``meta['cfg']``
        gives one; ``meta`` then has no ``cfg``).

    Raises:
        KeyError: If the checkpoint has no ``student.`` weights.
        ValueError: If ``out_path`` is ``in_path``, or ``config_out`` is
            asked for without a config.

    Example:
        >>> extract_student_checkpoint('work_dirs/mae_ms_kd/epoch_100.pth',
        ...                            'student.pth', config_out='student.py')
        ... # doctest: +SKIP
        >>> # python tools/test.py student.py student.pth
    """
    if osp.abspath(in_path) == osp.abspath(out_path):
        raise ValueError(
            f'The student checkpoint must not overwrite the distiller '
            f'checkpoint {in_path}; choose another output path.')
    ckpt = load_trusted_checkpoint(in_path, map_location='cpu')
    state_dict = ckpt.get('state_dict', ckpt) if isinstance(ckpt,
                                                            dict) else ckpt
    weights = select_prefixed_state_dict(state_dict, STUDENT_PREFIX)
    if not weights:
        roots = sorted({k.split('.', 1)[0] for k in state_dict})
        raise KeyError(f'{in_path} has no {STUDENT_PREFIX!r} weights '
                       f'(top-level keys: {roots}); is it a distiller '
                       'checkpoint?')
    meta = dict(ckpt.get('meta') or {}) if isinstance(ckpt, dict) and \
        'state_dict' in ckpt else {}
    if cfg is None:
        cfg = meta.get('cfg')
    elif isinstance(cfg, str) and osp.isfile(cfg):
        cfg = load_config(cfg)
    plain_cfg = student_config(cfg) if cfg else None
    meta.pop('cfg', None)
    if plain_cfg is not None:
        meta['cfg'] = plain_cfg.pretty_text
    elif config_out is not None:
        raise ValueError(
            f'{in_path} carries no config (meta["cfg"]); pass the '
            "distiller's config file to write the student's config.")
    meta['extracted_from'] = in_path
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    torch.save({'state_dict': weights, 'meta': meta}, out_path)
    if config_out is not None:
        os.makedirs(osp.dirname(osp.abspath(config_out)), exist_ok=True)
        plain_cfg.dump(config_out)
    return len(weights), plain_cfg
