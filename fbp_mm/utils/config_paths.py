"""Where a ``package::relative/path.py`` config name points.

One rule for every place fbp_mm takes such a name (a distiller's
``cfg_path``, a recipe stage's ``config``, the inferencer's ``model``): the
file ``<package>/.mim/configs/<relative path>`` of the importable package,
and for ``fbp_mm`` also ``configs/<relative path>`` of the source checkout
it is imported from. Unlike MMEngine 0.10's lookup this follows the import
system, so it also works for packages installed in editable mode.
"""
import difflib
import glob
import importlib.util
import os.path as osp
from typing import List, Optional

#: The fbp_mm package folder and the folder above it (the repository root
#: in a source checkout, ``site-packages`` when installed).
PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))
REPO_DIR = osp.dirname(PACKAGE_DIR)


def package_dir(package: str) -> Optional[str]:
    """Folder of an importable package, or None.

    Args:
        package (str): A module name (``'mmpretrain'``).

    Returns:
        str | None: The package's folder; None when it cannot be imported.
    """
    if package == 'fbp_mm':
        return PACKAGE_DIR
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.submodule_search_locations:
        return list(spec.submodule_search_locations)[0]
    return osp.dirname(spec.origin) if spec.origin else None


def package_config_roots(package: str) -> List[str]:
    """The folders a package's configs are read from, in order.

    Args:
        package (str): A module name (``'fbp_mm'``, ``'mmpretrain'``).

    Returns:
        list[str]: ``<package>/.mim/configs``, and for fbp_mm also the
        checkout's ``configs``; empty when the package is not importable.
    """
    folder = package_dir(package)
    if folder is None:
        return []
    roots = [osp.join(folder, '.mim', 'configs')]
    if package == 'fbp_mm':
        roots.append(osp.join(REPO_DIR, 'configs'))
    return roots


def package_config_candidates(name: str) -> List[str]:
    """The files ``'package::relative/path.py'`` may name, in order.

    Args:
        name (str): A config name with ``::``.

    Returns:
        list[str]: Candidate paths (empty when the package is not
        importable).

    Example:
        >>> package_config_candidates('fbp_mm::fbp/mae_ms_kd.py')[-1]
        ... # doctest: +SKIP
        '/path/to/repo/configs/fbp/mae_ms_kd.py'
    """
    package, _, relative = name.partition('::')
    return [
        osp.normpath(osp.join(root, relative))
        for root in package_config_roots(package)
    ]


def resolve_package_config(name: str) -> str:
    """The existing file of ``'package::relative/path.py'``.

    Args:
        name (str): A config name with ``::``.

    Returns:
        str: An absolute path.

    Raises:
        FileNotFoundError: When the package is not importable or has no
            such config; the message lists the places tried and names the
            closest config the package ships.

    Example:
        >>> resolve_package_config('fbp_mm::fbp/mae_ms_kd.py')
        ... # doctest: +SKIP
        '/path/to/fbp_mm/.mim/configs/fbp/mae_ms_kd.py'
    """
    package, _, relative = name.partition('::')
    roots = package_config_roots(package)
    if not roots:
        raise FileNotFoundError(
            f'Config {name!r}: the package {package!r} is not installed.')
    candidates = package_config_candidates(name)
    for path in candidates:
        if osp.isfile(path):
            return osp.abspath(path)
    hint = ''
    for root in roots:
        known = [
            osp.relpath(p, root)
            for p in glob.glob(osp.join(root, '**', '*.py'), recursive=True)
        ]
        close = difflib.get_close_matches(relative, known, n=1, cutoff=0.5)
        if close:
            hint = f' Did you mean {package}::{close[0]}?'
            break
    raise FileNotFoundError(f'{package} has no config {relative!r} (tried '
                            f'{", ".join(candidates)}).{hint}')
