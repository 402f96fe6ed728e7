import os.path as osp

import cv2
import numpy as np
import pytest

from fbp_mm.datasets import AnnotationError, UnlabeledFaceDataset


@pytest.fixture
def folder(tmp_path):
    img = np.zeros((8, 8, 3), np.uint8)
    for name in ['b.jpg', 'a.png', 'sub/c.JPG']:
        path = tmp_path / 'imgs' / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), img)
    (tmp_path / 'imgs' / 'notes.txt').write_text('not an image')
    return tmp_path


def test_scans_folder_tree_sorted(folder):
    ds = UnlabeledFaceDataset(data_root=str(folder), data_prefix='imgs')
    names = [osp.relpath(p, str(folder / 'imgs'))
             for p in ds.get_image_paths()]
    assert names == ['a.png', 'b.jpg', 'sub/c.JPG']


def test_reads_list_and_ignores_scores(folder):
    (folder / 'list.txt').write_text('# pool\nb.jpg 3.2\n\nsub/c.JPG\n')
    ds = UnlabeledFaceDataset(
        data_root=str(folder), data_prefix='imgs', ann_file='list.txt')
    assert len(ds) == 2
    assert ds.get_image_paths()[1].endswith('sub/c.JPG')


def test_missing_image_names_line(folder):
    (folder / 'list.txt').write_text('b.jpg\nnope.jpg\n')
    with pytest.raises(AnnotationError, match=r'list\.txt:2: .*nope\.jpg'):
        UnlabeledFaceDataset(
            data_root=str(folder), data_prefix='imgs', ann_file='list.txt')
    ds = UnlabeledFaceDataset(
        data_root=str(folder),
        data_prefix='imgs',
        ann_file='list.txt',
        skip_invalid=True)
    assert len(ds) == 1


def test_empty_folder_is_an_error(tmp_path):
    (tmp_path / 'empty').mkdir()
    with pytest.raises(AnnotationError, match='no images found'):
        UnlabeledFaceDataset(data_root=str(tmp_path), data_prefix='empty')
