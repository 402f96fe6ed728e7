"""fbp_mm's model zoo: its ``model-index.yml`` in MMPretrain's ModelHub.

An installed fbp_mm ships ``fbp_mm/.mim/model-index.yml`` with the
metafile of each config family (``configs/<family>/metafile.yml``), in
OpenMMLab's format, as MMPretrain does. :func:`register_fbp_mm_models`
adds those models to :class:`mmpretrain.apis.ModelHub`, so their names
work wherever MMPretrain takes a model name (``FaceScoreInferencer``,
``mmpretrain.get_model``), and ``mim search fbp_mm`` lists them.
"""
import fnmatch
import os.path as osp
from typing import List, Optional

from ..utils.config_paths import PACKAGE_DIR, REPO_DIR


_registered = False


def model_index_root() -> str:
    """The folder that holds ``model-index.yml`` and the configs.

    ``fbp_mm/.mim`` of an installed package; the repository itself for a
    checkout that was never installed (no ``.mim`` yet).

    Returns:
        str: The folder; its ``model-index.yml`` and ``configs/`` are the
        model zoo.

    Raises:
        FileNotFoundError: Neither has a ``model-index.yml``.
    """
    for root in (osp.join(PACKAGE_DIR, '.mim'), REPO_DIR):
        if osp.isfile(osp.join(root, 'model-index.yml')):
            return root
    raise FileNotFoundError(
        f'No model-index.yml in {osp.join(PACKAGE_DIR, ".mim")} or '
        f'{REPO_DIR}: reinstall fbp_mm (pip install .), which ships it.')


def register_fbp_mm_models() -> None:
    """Add fbp_mm's models to MMPretrain's ModelHub (once per process).

    Example:
        >>> from mmpretrain.apis import ModelHub
        >>> register_fbp_mm_models()
        >>> ModelHub.has('ms-mae_vit-tiny-p8_1xb64-8e_demo-faces')
        True
    """
    global _registered
    if _registered:
        return
    from mmpretrain.apis import ModelHub
    root = model_index_root()
    ModelHub.register_model_index(
        osp.join(root, 'model-index.yml'), config_prefix=root)
    _registered = True


def list_fbp_mm_models(pattern: Optional[str] = None) -> List[str]:
    """Names of fbp_mm's model-zoo entries, sorted.

    Args:
        pattern (str, optional): A shell-style wildcard (``'*fiqa*'``);
            all names when omitted.

    Returns:
        list[str]: The matching names.

    Example:
        >>> 'mae_ms_kd' in list_fbp_mm_models('mae*')
        True
    """
    from modelindex.load_model_index import load
    index = load(osp.join(model_index_root(), 'model-index.yml'))
    index.build_models_with_collections()
    names = sorted(model.name for model in index.models)
    if pattern is not None:
        names = fnmatch.filter(names, pattern)
    return names

