"""Student and teacher network configs: inline dicts or config files.

A distiller's ``student`` / ``teacher`` entry is either a model config or
``dict(cfg_path=..., **overrides)`` naming a config file (a path, or an
OpenMMLab ``package::rel/path.py`` name); :func:`resolve_network_cfg`
turns either into a plain model config.
"""
import copy
import os.path as osp
from typing import List

from mmengine.config import Config

from ...utils.config_loading import load_config
from ...utils.config_paths import (PACKAGE_DIR, REPO_DIR,
                                   package_config_candidates)


def plain_copy(cfg):
    """Deep-copy a (Config)dict into plain dicts and lists."""
    if isinstance(cfg, dict):
        return {k: plain_copy(v) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(plain_copy(v) for v in cfg)
    return copy.deepcopy(cfg)


def _merge(base: dict, override: dict) -> dict:
    """Merge ``override`` into a copy of ``base`` like MMEngine configs.

    Nested dicts merge key by key unless the override sets
    ``_delete_=True``, in which case it replaces the base value.
    """
    merged = plain_copy(base)
    for key, value in override.items():
        value = plain_copy(value)
        if isinstance(value, dict):
            replace = value.pop('_delete_', False)
            if not replace and isinstance(merged.get(key), dict):
                value = _merge(merged[key], value)
        merged[key] = value
    return merged


def config_candidates(cfg_path: str) -> List[str]:
    """The files a ``cfg_path`` may name, in the order they are tried.

    * ``'package::rel/path.py'``: ``<package>/.mim/configs/rel/path.py``
      (how OpenMMLab packages ship their configs); for ``fbp_mm`` also
      ``configs/rel/path.py`` of the source checkout it is imported from.
    * an absolute path: itself.
    * a relative path: from the current directory, then from the fbp_mm
      repository root (``configs/...`` of a source checkout), then from the
      installed package's ``.mim`` folder (``configs/...`` shipped inside
      the package). To name a file beside the config that refers to it,
      write ``'{{ fileDirname }}/other.py'`` in that config: MMEngine
      replaces ``{{ fileDirname }}`` with the config's own folder.

    Args:
        cfg_path (str): The ``cfg_path`` of a student / teacher entry.

    Returns:
        list[str]: Absolute candidate paths, without duplicates.
    """
    if '::' in cfg_path:
        paths = package_config_candidates(cfg_path)
    elif osp.isabs(cfg_path):
        paths = [cfg_path]
    else:
        paths = [
            osp.abspath(cfg_path),
            osp.join(REPO_DIR, cfg_path),
            osp.join(PACKAGE_DIR, '.mim', cfg_path),
        ]
    unique: List[str] = []
    for path in paths:
        path = osp.normpath(path)
        if path not in unique:
            unique.append(path)
    return unique


def _read_config(cfg_path: str) -> Config:
    """Read a config file, or a ``package::relative/path.py`` config.

    Raises:
        ModuleNotFoundError: For ``package::...`` when the package cannot
            be imported.
        FileNotFoundError: Listing every path tried.
    """
    candidates = config_candidates(cfg_path)
    if '::' in cfg_path and not candidates:
        package = cfg_path.partition('::')[0]
        raise ModuleNotFoundError(
            f'cfg_path {cfg_path!r} refers to the package {package!r}, '
            'which is not installed.')
    for path in candidates:
        if osp.isfile(path):
            return load_config(path)
    if '::' in cfg_path and not cfg_path.startswith('fbp_mm::'):
        # Let MMEngine look the name up in the package's model index.
        from mmengine.hub import get_config
        try:
            return get_config(cfg_path)
        except (FileNotFoundError, ValueError, KeyError):
            pass
    tried = ''.join(f'\n  {path}' for path in candidates)
    raise FileNotFoundError(
        f'Config file of cfg_path={cfg_path!r} not found; tried:{tried}\n'
        'A relative cfg_path is read from the current directory, the fbp_mm '
        "repository or the installed package. In a config, write "
        "cfg_path='{{ fileDirname }}/other.py' for a file beside that "
        "config, or cfg_path='fbp_mm::fbp/other.py' for a shipped config.")


def resolve_network_cfg(cfg: dict) -> dict:
    """Turn a student / teacher entry into a plain model config.

    Args:
        cfg (dict): Either a model config (``dict(type='ImageClassifier',
            backbone=..., head=...)``) or ``dict(cfg_path=..., **overrides)``
            where ``cfg_path`` is a config file path (see
            :func:`config_candidates` for how it is found) or an
            ``'mmpretrain::resnet/resnet18_8xb32_in1k.py'``-style name. The
            file's ``model`` is used, with the overrides merged on top
            (``_delete_=True`` replaces a whole sub-dict). When the file
            keeps ``data_preprocessor`` at the top level, as MMPretrain's
            configs do, it is moved into the model config.

    Returns:
        dict: A model config with ``type``.

    Example:
        >>> cfg = resolve_network_cfg(dict(
        ...     cfg_path='fbp_mm::fbp/resnet18-w16_1xb32-20e_demo-faces.py',
        ...     head=dict(loss=dict(type='L1Loss'))))
        >>> cfg['type'], cfg['data_preprocessor']['to_rgb']
        ('ImageClassifier', True)
    """
    cfg = plain_copy(cfg)
    if 'cfg_path' not in cfg:
        return cfg
    cfg_path = cfg.pop('cfg_path')
    file_cfg = _read_config(cfg_path)
    if 'model' not in file_cfg:
        raise KeyError(f'Config {cfg_path!r} has no `model`.')
    model = plain_copy(file_cfg.model.to_dict())
    if 'data_preprocessor' not in model and \
            file_cfg.get('data_preprocessor') is not None:
        model['data_preprocessor'] = plain_copy(
            file_cfg.data_preprocessor.to_dict())
    return _merge(model, cfg)
