"""Read MMEngine checkpoints on PyTorch >= 2.6, only where asked to.

MMEngine 0.10.x reads local checkpoints with ``torch.load(filename)``. Since
PyTorch 2.6 that call defaults to ``weights_only=True``, which refuses the
message hub (``HistoryBuffer`` objects holding numpy arrays and scalars) that
MMEngine itself writes into every training checkpoint, so ``--resume``,
``load_from`` and ``init_cfg=dict(type='Pretrained', ...)`` fail.

Importing :mod:`fbp_mm` changes nothing about that. Loading is switched only
inside :func:`trusted_checkpoint_loading`, which our tools and
:class:`~fbp_mm.engine.FbpRunner` enter around the work they run, and by
:func:`load_trusted_checkpoint` for package code (the distiller's teacher).
Within it, local files are read by :func:`load_from_local_trusted`:

1. first with ``weights_only=True``, allowing the few extra types that
   MMEngine checkpoints hold (:func:`checkpoint_safe_globals`): the message
   hub's ``HistoryBuffer`` and its default statistics methods,
   ``ConfigDict``, numeric numpy arrays, dtypes and scalars;
2. only when that is refused, in full (``weights_only=False``), with a
   warning naming the file. Checkpoints are trusted files: a file loaded in
   full can run any code stored in it.
"""
import contextlib
import logging
import os.path as osp
import pickle
import threading
from typing import Any, Callable, Iterator, List, Optional, Set, Tuple, Union

import numpy as np
import torch
from mmengine.config import ConfigDict
from mmengine.logging import HistoryBuffer, print_log
from mmengine.runner.checkpoint import CheckpointLoader
from mmengine.utils import digit_version

# The statistics methods that HistoryBuffer registers for itself; a pickled
# buffer refers to them as ``getattr(HistoryBuffer, name)``.
_HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')

# Scheme under which MMEngine's CheckpointLoader keeps its local-file loader.
_LOCAL_SCHEME = ''

# Guards the scheme swap, the depth counter and torch's (process-wide)
# list of safe globals.
_LOCK = threading.RLock()
_depth = 0
_MISSING = object()
_previous_loader: Any = _MISSING
_warned_files: Set[str] = set()


def _history_buffer_getattr(obj: Any, name: str) -> Callable:
    """Stand-in for ``builtins.getattr`` while reading a checkpoint.

    It only returns the default statistics methods of ``HistoryBuffer``,
    which is all that MMEngine's message hub pickles through ``getattr``.

    Raises:
        pickle.UnpicklingError: For any other object or attribute, so that
            such a file is not loaded weights-only.
    """
    if obj is HistoryBuffer and name in _HISTORY_BUFFER_METHODS:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'getattr({obj!r}, {name!r}) is outside the checkpoint allow-list')


def _numpy_multiarray() -> Any:
    try:
        from numpy._core import multiarray  # numpy >= 2
    except ImportError:  # pragma: no cover - numpy 1.x
        from numpy.core import multiarray
    return multiarray


def checkpoint_safe_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """The globals allowed when reading a checkpoint weights-only.

    These are the Python objects, besides tensors and plain containers, found
    in checkpoints that MMEngine's runner writes (found with
    :func:`torch.serialization.get_unsafe_globals_in_checkpoint`):

    - ``mmengine.logging.HistoryBuffer`` (the message hub's logged scalars)
      and ``builtins.getattr`` limited to its default statistics methods;
    - ``mmengine.config.ConfigDict``;
    - numpy arrays, dtypes and scalars of numeric and bool types (arrays of
      Python objects stay refused), under the module names of numpy 2 and
      of numpy 1, so files written with either load.

    Returns:
        list: Entries for :class:`torch.serialization.safe_globals`: objects,
        or ``(object, 'module.name')`` pairs on PyTorch >= 2.6.

    Example:
        >>> import tempfile
        >>> from mmengine.logging import HistoryBuffer
        >>> buffer = HistoryBuffer()
        >>> buffer.update(0.5)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     torch.save(dict(loss=buffer), tmp + '/epoch_1.pth')
        ...     with torch.serialization.safe_globals(
        ...             checkpoint_safe_globals()):
        ...         ckpt = torch.load(tmp + '/epoch_1.pth', weights_only=True)
        >>> float(ckpt['loss'].current())
        0.5
    """
    multiarray = _numpy_multiarray()
    dtypes = {
        type(np.dtype(code))
        for code in np.typecodes['AllInteger'] + np.typecodes['AllFloat'] +
        '?'
    }
    allowed: List[Union[Callable, Tuple[Callable, str]]] = [
        HistoryBuffer, ConfigDict, np.ndarray, np.dtype,
        multiarray._reconstruct, multiarray.scalar
    ]
    allowed += sorted(dtypes, key=lambda t: t.__name__)
    if digit_version(torch.__version__) >= digit_version('2.6.0'):
        # Named entries: the name a pickle uses need not be the object's.
        allowed.append((_history_buffer_getattr, 'builtins.getattr'))
        for package in ('numpy.core', 'numpy._core'):
            for func in (multiarray._reconstruct, multiarray.scalar):
                allowed.append(
                    (func, f'{package}.multiarray.{func.__name__}'))
    return allowed


@contextlib.contextmanager
def _allow_checkpoint_globals() -> Iterator[None]:
    """Add the allow-list to torch's safe globals, then remove only what
    this added (a user's own entries stay)."""
    present = set(torch.serialization.get_safe_globals())
    added = [g for g in checkpoint_safe_globals() if g not in present]
    with torch.serialization.safe_globals(added):
        yield


def _refused_globals(filename: str) -> List[str]:
    """Names in the file that the allow-list refuses, or [] if unknown."""
    try:
        with _allow_checkpoint_globals():
            return sorted(
                torch.serialization.get_unsafe_globals_in_checkpoint(
                    filename))
    except Exception:  # legacy (non-zip) files, old PyTorch
        return []


def _refusal_reason(err: Exception) -> str:
    """The line of torch's weights-only error that says what was refused."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    marker = 'WeightsUnpickler error:'
    for i, line in enumerate(lines):
        if marker in line:
            rest = line.split(marker, 1)[1].strip()
            if not rest and i + 1 < len(lines):
                rest = lines[i + 1]
            return rest[:200]
    return lines[0][:200] if lines else type(err).__name__


def _warn_full_load(filename: str, refused: List[str], reason: str) -> None:
    key = osp.realpath(filename)
    if key in _warned_files:
        return
    _warned_files.add(key)
    what = ', '.join(refused) if refused else reason
    print_log(
        f'{filename} was loaded in full (weights_only=False) because it '
        'holds Python objects outside the allow-list of fbp_mm '
        f'({what}). Checkpoints are trusted files: a file loaded in full '
        'can run code stored in it, so load only checkpoints you trust.',
        logger='current',
        level=logging.WARNING)


def _load_local_file(filename: str,
                     map_location: Optional[Union[str, torch.device]]) -> Any:
    has_safe_globals = hasattr(torch.serialization, 'safe_globals')
    with _LOCK:  # torch's safe-global list is shared by all threads
        try:
            if has_safe_globals:
                with _allow_checkpoint_globals():
                    return torch.load(
                        filename, map_location=map_location,
                        weights_only=True)
            return torch.load(
                filename, map_location=map_location, weights_only=True)
        except pickle.UnpicklingError as err:
            reason = _refusal_reason(err)
            refused = _refused_globals(filename) if has_safe_globals else []
    _warn_full_load(filename, refused, reason)
    return torch.load(filename, map_location=map_location, weights_only=False)


# MMEngine logs a loader's name after its first 10 characters
# ('load_from_'), so this one reads 'local_trusted' in the log.
def load_from_local_trusted(
        filename: str,
        map_location: Optional[Union[str, torch.device]] = None) -> Any:
    """Read a local checkpoint file, weights-only when it can be.

    The file is read with ``weights_only=True`` and the allow-list of
    :func:`checkpoint_safe_globals`; when that is refused it is read in full
    and a warning naming the file (once per file) says so.

    Args:
        filename (str): Path to the checkpoint; ``~`` is expanded.
        map_location (str | torch.device, optional): Same as
            :func:`torch.load`. Defaults to None.

    Returns:
        Any: The loaded checkpoint, usually a dict.

    Raises:
        FileNotFoundError: When ``filename`` is not a file.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     torch.save(dict(meta=dict(epoch=10)), tmp + '/epoch_10.pth')
        ...     ckpt = load_from_local_trusted(tmp + '/epoch_10.pth',
        ...                                    map_location='cpu')
        >>> ckpt['meta']['epoch']
        10
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'Checkpoint {filename} can not be found.')
    return _load_local_file(filename, map_location)


def _set_local_loader(loader: Any) -> None:
    schemes = CheckpointLoader._schemes
    if loader is _MISSING:
        schemes.pop(_LOCAL_SCHEME, None)
    elif _LOCAL_SCHEME in schemes:
        schemes[_LOCAL_SCHEME] = loader  # in place: keeps the lookup order
    else:
        CheckpointLoader.register_scheme(
            prefixes=_LOCAL_SCHEME, loader=loader, force=True)


@contextlib.contextmanager
def trusted_checkpoint_loading() -> Iterator[None]:
    """Read local checkpoints with :func:`load_from_local_trusted` inside.

    While the context is open, MMEngine's
    :class:`~mmengine.runner.CheckpointLoader` (used by ``load_from``,
    ``resume``, ``init_cfg=dict(type='Pretrained')``,
    :func:`~mmengine.runner.load_checkpoint`) reads local files with our
    loader; on leaving, the loader that was there before is put back. The
    context is re-entrant and may be entered from several threads: the
    loader is installed by the first entry and restored by the last exit.
    While it is open, the switch holds for the whole process.

    Example:
        >>> import tempfile
        >>> from mmengine.runner import load_checkpoint
        >>> model = torch.nn.Linear(2, 1)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     torch.save(model.state_dict(), tmp + '/epoch_10.pth')
        ...     with trusted_checkpoint_loading():
        ...         _ = load_checkpoint(model, tmp + '/epoch_10.pth')
        ... # doctest: +ELLIPSIS
        Loads checkpoint by local_trusted backend from path: .../epoch_10.pth
    """
    global _depth, _previous_loader
    with _LOCK:
        if _depth == 0:
            _previous_loader = CheckpointLoader._schemes.get(
                _LOCAL_SCHEME, _MISSING)
            _set_local_loader(load_from_local_trusted)
        _depth += 1
    try:
        yield
    finally:
        with _LOCK:
            _depth -= 1
            if _depth == 0:
                # Someone who registered another loader meanwhile keeps it.
                current = CheckpointLoader._schemes.get(_LOCAL_SCHEME)
                if current is load_from_local_trusted:
                    _set_local_loader(_previous_loader)
                _previous_loader = _MISSING


def load_trusted_checkpoint(
        filename: str,
        map_location: Optional[Union[str, torch.device]] = None) -> Any:
    """Load a checkpoint from any place MMEngine can read, as a trusted file.

    Local files go through :func:`load_from_local_trusted`; other URIs
    (``http://``, ``torchvision://``, ...) through MMEngine's loaders.

    Args:
        filename (str): Local path or URI of the checkpoint.
        map_location (str | torch.device, optional): Same as
            :func:`torch.load`. Defaults to None.

    Returns:
        Any: The loaded checkpoint, usually a dict with ``state_dict``.

    Example:
        >>> import logging
        >>> import tempfile
        >>> logging.disable(logging.INFO)  # MMEngine logs 'Loads checkpoint'
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     torch.save(dict(state_dict={}), tmp + '/best.pth')
        ...     ckpt = load_trusted_checkpoint(tmp + '/best.pth',
        ...                                    map_location='cpu')
        >>> logging.disable(logging.NOTSET)
        >>> ckpt.get('state_dict', ckpt)
        {}
    """
    with trusted_checkpoint_loading():
        return CheckpointLoader.load_checkpoint(
            filename, map_location=map_location)
