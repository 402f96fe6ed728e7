"""Reading config files with each ``package::path`` base looked up once.

MMEngine 0.10 finds a base config named ``package::path`` (our configs
inherit ``mmpretrain::_base_/default_runtime.py``) by reloading
``pkg_resources`` and reading every metafile the package's model index
lists: 85 YAML files for MMPretrain 1.2, about 0.2 s on every lookup, so
most of the time of ``Config.fromfile`` goes there, and a recipe run reads
some twenty stage configs. :func:`load_config` is ``Config.fromfile``
with these lookups remembered for the process: the second and later
lookups of the same name cost a dictionary access and a file check.

Only fbp_mm's own readers use it (tools, recipe runner, APIs): importing
fbp_mm leaves MMEngine as it is, and the lookup is swapped in only for the
duration of each call.
"""
import os.path as osp
import threading
from contextlib import contextmanager
from typing import Dict, Iterator, Optional, Tuple

from mmengine.config import Config

__all__ = ['load_config', 'package_bases_looked_up_once']

#: ``package::path`` -> what MMEngine's lookup returned (file, scope).
_RESOLVED: Dict[str, Tuple[str, Optional[str]]] = {}
_LOCK = threading.RLock()
_ACTIVE = {'depth': 0, 'original': None}


def _remembering(original):
    """MMEngine's ``Config._get_cfg_path``, remembering ``::`` names."""

    def get_cfg_path(cfg_path: str,
                     filename: str) -> Tuple[str, Optional[str]]:
        if '::' not in cfg_path:
            return original(cfg_path, filename)
        found = _RESOLVED.get(cfg_path)
        if found is None or not osp.isfile(found[0]):
            found = original(cfg_path, filename)  # errors are not kept
            _RESOLVED[cfg_path] = found
        return found

    return get_cfg_path


@contextmanager
def package_bases_looked_up_once() -> Iterator[None]:
    """While active, MMEngine looks up each ``package::path`` base once.

    Reentrant; on leaving the outermost block ``Config._get_cfg_path`` is
    MMEngine's own again. A name is looked up anew when the file it led to
    is gone; a failed lookup is not remembered.

    Example:
        >>> from mmengine.config import Config
        >>> with package_bases_looked_up_once():
        ...     cfg = Config.fromfile(
        ...         'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py')
        >>> cfg.default_scope
        'mmpretrain'
    """
    with _LOCK:
        if _ACTIVE['depth'] == 0:
            _ACTIVE['original'] = Config.__dict__['_get_cfg_path']
            Config._get_cfg_path = staticmethod(
                _remembering(_ACTIVE['original'].__func__))
        _ACTIVE['depth'] += 1
    try:
        yield
    finally:
        with _LOCK:
            _ACTIVE['depth'] -= 1
            if _ACTIVE['depth'] == 0:
                Config._get_cfg_path = _ACTIVE['original']
                _ACTIVE['original'] = None


def load_config(filename: str,
                cfg_options: Optional[dict] = None,
                **kwargs) -> Config:
    """``Config.fromfile`` with ``package::path`` bases looked up once.

    Args:
        filename (str): The config file.
        cfg_options (dict, optional): Overrides merged into the config
            (``Config.merge_from_dict``). Defaults to None.
        **kwargs: Passed on to ``Config.fromfile``.

    Returns:
        Config: The same config ``Config.fromfile`` reads.

    Example:
        >>> cfg = load_config('configs/fbp/resnet18-w16_1xb32-20e_'
        ...                   'demo-faces.py', dict(train_cfg=dict(
        ...                       max_epochs=2)))
        >>> cfg.train_cfg.max_epochs
        2
    """
    with package_bases_looked_up_once():
        cfg = Config.fromfile(filename, **kwargs)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg
