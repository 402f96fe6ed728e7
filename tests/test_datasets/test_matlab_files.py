import h5py
import numpy as np
import pytest
from scipy.io import savemat

from fbp_mm.datasets import AnnotationError
from fbp_mm.datasets.matlab_files import read_mat

# the 128-byte text header of a v7.3 file, in its 512-byte user block
# (bytes 124-127: version 0x0200, little-endian marker 'IM')
HEADER = b'MATLAB 7.3 MAT-file, written by fbp_mm tests'.ljust(116) + \
    b'\x00' * 8 + b'\x00\x02IM'


def write_mat73(path, variables):
    """Write ``variables`` in Matlab v7.3's HDF5 layout: numeric arrays
    transposed (HDF5 is row-major, Matlab column-major) with
    ``MATLAB_class`` 'double'; a list of str as a cell of references to
    uint16 char datasets in ``#refs#``."""
    with h5py.File(path, 'w', userblock_size=512) as f:
        refs = f.create_group('#refs#')
        for key, value in variables.items():
            if isinstance(value, list):
                cells = np.empty((1, len(value)), dtype=h5py.ref_dtype)
                for i, text in enumerate(value):
                    codes = np.array([[ord(c)] for c in text], np.uint16)
                    ds = refs.create_dataset(f'{key}_{i}', data=codes)
                    ds.attrs['MATLAB_class'] = np.bytes_('char')
                    cells[0, i] = ds.ref
                ds = f.create_dataset(key, data=cells)
                ds.attrs['MATLAB_class'] = np.bytes_('cell')
            else:
                ds = f.create_dataset(
                    key, data=np.asarray(value, np.float64).T)
                ds.attrs['MATLAB_class'] = np.bytes_('double')
    with open(path, 'r+b') as f:
        f.write(HEADER)


def cells(strings):
    out = np.empty((len(strings), 1), dtype=object)
    out[:, 0] = strings
    return out


@pytest.mark.parametrize('version', ['v5', 'v7.3'])
def test_both_versions_read_the_same(tmp_path, version):
    path = str(tmp_path / 'a.mat')
    label = np.array([[1, 0, -1], [0, 1, 1]], float)
    names = ['A\\a_0001.jpg', 'B\\b_0002.jpg']
    if version == 'v5':
        savemat(path, dict(name=cells(names), label=label,
                           idx=np.array([[2, 1]])))
    else:
        write_mat73(path, dict(name=names, label=label,
                               idx=np.array([[2, 1]])))
        assert h5py.is_hdf5(path)
    out = read_mat(path, ['name', 'label', 'idx', 'missing'])
    assert set(out) == {'name', 'label', 'idx'}
    assert out['name'] == names
    np.testing.assert_array_equal(out['label'], label)
    assert out['label'].dtype == np.float64
    assert out['idx'].shape == (1, 2) and out['idx'].ravel().tolist() == [2,
                                                                          1]


def test_unreadable_files(tmp_path, monkeypatch):
    bad = tmp_path / 'bad.mat'
    bad.write_bytes(b'not a mat file at all' * 10)
    with pytest.raises(AnnotationError, match=rf'{bad}: not a readable '
                       'Matlab file'):
        read_mat(str(bad), ['x'])
    with pytest.raises(FileNotFoundError, match='none.mat does not exist'):
        read_mat(str(tmp_path / 'none.mat'), ['x'])
    # without h5py a v7.3 file says what to install
    path = str(tmp_path / 'new.mat')
    write_mat73(path, dict(x=np.eye(2)))
    import builtins
    real_import = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == 'h5py':
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, '__import__', no_h5py)
    with pytest.raises(AnnotationError, match=r'new.mat: a Matlab v7.3 '
                       r'\(HDF5\) file; reading it needs h5py'):
        read_mat(path, ['x'])
