"""Arrays and string cells of Matlab ``.mat`` files (v5 and v7.3)."""
import os.path as osp
from typing import Dict, List, Sequence, Union

import numpy as np

from .annotations import AnnotationError

__all__ = ['read_mat']

MatValue = Union[np.ndarray, List[str]]


def _cell_string(cell) -> str:
    """The string of one cell read by ``scipy.io.loadmat`` ('' if empty)."""
    while isinstance(cell, np.ndarray):
        if cell.size == 0:
            return ''
        if cell.size != 1:
            raise ValueError(f'expected one string, got {cell!r}')
        cell = cell.reshape(-1)[0]
    return str(cell)


def _from_v5(value) -> MatValue:
    value = np.asarray(value)
    if value.dtype == object:  # a cell array: strings, column-major
        return [_cell_string(c) for c in value.ravel(order='F')]
    if value.dtype.kind == 'U':  # a char array
        return [str(v) for v in value.ravel(order='F')]
    return value.astype(np.float64)


def _h5_string(dataset) -> str:
    if dataset.attrs.get('MATLAB_empty'):
        return ''
    return ''.join(map(chr, np.asarray(dataset).ravel()))


def _from_v73(handle, dataset) -> MatValue:
    """A variable of a v7.3 file (HDF5 keeps Matlab's column-major
    arrays transposed)."""
    import h5py
    kind = dataset.attrs.get('MATLAB_class', b'')
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    if kind == 'cell':
        # references, C order of the transposed array = Matlab's order
        return [_h5_string(handle[ref]) if isinstance(ref, h5py.Reference)
                else str(ref) for ref in np.asarray(dataset).ravel()]
    if kind == 'char':
        return [_h5_string(dataset)]
    return np.asarray(dataset, dtype=np.float64).T


def read_mat(path: str,
             keys: Sequence[str],
             required: bool = False,
             hint: str = '') -> Dict[str, MatValue]:
    """Read variables of a Matlab file, v5 (``scipy.io``) or v7.3 (HDF5,
    with ``h5py`` when it is installed).

    Numeric arrays come back as float64 in Matlab's orientation (rows x
    columns); cell arrays of strings (and char arrays) as a list of
    ``str`` in Matlab's column-major order.

    Args:
        path (str): The ``.mat`` file.
        keys (Sequence[str]): The variables to read.
        required (bool): Raise when the file lacks one of ``keys``.
            Defaults to False (a missing one is left out).
        hint (str): Appended to that error, e.g. what the file should
            hold. Defaults to ''.

    Returns:
        dict[str, np.ndarray | list[str]]: The variables of ``keys`` that
        the file has.

    Raises:
        FileNotFoundError: No such file.
        AnnotationError: Not a readable Matlab file (the message names
            it); a v7.3 file without ``h5py`` says to install it; with
            ``required``, ``"<file>: no <keys> in the file<hint>"``.

    Example:
        >>> import os.path as osp, tempfile
        >>> from scipy.io import savemat
        >>> path = osp.join(tempfile.mkdtemp(), 'a.mat')
        >>> names = np.empty((2, 1), dtype=object)
        >>> names[:, 0] = ['x.jpg', 'y.jpg']
        >>> savemat(path, dict(name=names, label=np.eye(2)))
        >>> out = read_mat(path, ['name', 'label', 'other'])
        >>> out['name'], out['label'].shape, 'other' in out
        (['x.jpg', 'y.jpg'], (2, 2), False)
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Matlab file {path} does not exist.')
    out = _read_variables(path, keys)
    absent = [k for k in keys if k not in out]
    if required and absent:
        raise AnnotationError(f'{path}: no {", ".join(absent)} in the file'
                              f'{hint}')
    return out


def _read_variables(path: str, keys: Sequence[str]) -> Dict[str, MatValue]:
    try:
        import h5py
    except ImportError:
        h5py = None
    if h5py is not None and h5py.is_hdf5(path):
        with h5py.File(path, 'r') as handle:
            return {k: _from_v73(handle, handle[k]) for k in keys
                    if k in handle}
    from scipy.io import loadmat  # scipy stays out of `import fbp_mm`
    try:
        info = loadmat(path)
    except NotImplementedError:
        raise AnnotationError(
            f'{path}: a Matlab v7.3 (HDF5) file; reading it needs h5py '
            '(pip install h5py)') from None
    except (ValueError, TypeError, OSError) as err:
        raise AnnotationError(f'{path}: not a readable Matlab file '
                              f'({err})') from None
    try:
        return {k: _from_v5(info[k]) for k in keys if k in info}
    except ValueError as err:
        raise AnnotationError(f'{path}: {err}') from None
