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


def test_landmark_file_feeds_the_face_transforms(tmp_path):
    """The demo faces' landmarks.txt rides along; FaceLandmarks then uses
    it (a predictor that cannot load is never built) and AlignFace aligns
    on it."""
    import fbp_mm  # noqa: F401
    from fbp_mm.generators import generate_demo_faces
    from fbp_mm.generators.synthetic_faces import (face_landmarks,
                                                   sample_face_params)
    root = str(tmp_path / 'faces')
    generate_demo_faces(root, num_labeled=10, num_unlabeled=3, size=64,
                        seed=4)
    dataset = UnlabeledFaceDataset(
        data_root=root, ann_file='unlabeled.txt',
        landmark_file='landmarks.txt',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='FaceLandmarks', model='/nonexistent.dat'),
            dict(type='AlignFace', size=32),
        ])
    params = sample_face_params(np.random.default_rng([4, 1, 0]))
    info = dataset.get_data_info(0)
    np.testing.assert_allclose(info['face_landmarks'],
                               face_landmarks(params, 64), atol=0.006)
    sample = dataset[0]
    assert sample['face_found'] is True
    assert sample['img'].shape == (32, 32, 3)


def test_bad_landmark_rows_name_file_and_line(tmp_path):
    from fbp_mm.datasets.annotations import read_landmarks
    good = 'a.jpg ' + ' '.join(['1.0'] * 136)
    path = tmp_path / 'marks.txt'
    path.write_text(f'# header\n{good}\nb.jpg 1 2 3\n')
    with pytest.raises(AnnotationError,
                       match=f'{path}:3: expected an image and 136 numbers '
                       r'\(68 x, y pairs\), got 3 numbers'):
        read_landmarks(str(path))
    path.write_text(f'{good}\n{good}\n')
    with pytest.raises(AnnotationError, match=f'{path}:2: a.jpg is listed '
                       'twice'):
        read_landmarks(str(path))
    path.write_text(good.replace('1.0', 'nan', 1) + '\n')
    with pytest.raises(AnnotationError, match=':1: a landmark value is not '
                       'finite'):
        read_landmarks(str(path))
