import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS
from scipy.io import savemat

from fbp_mm.datasets import AnnotationError
from fbp_mm.datasets.aflw import FLIP_PAIRS_19

NUM_FACES = 12
NUM_TRAIN = 8


def face_arrays(n=NUM_FACES):
    """Per face i: point k at (10 + k + i, 50 + 2k); box left 5 + i, right
    60 + i, top 40, bottom 100 + i; faces 2 and 9 have point 4 hidden;
    images 0/a0.jpg, 0/a1.jpg, ... a5, two faces each."""
    k = np.arange(19)
    data = np.stack([np.concatenate([10 + k + i, 50 + 2.0 * k])
                     for i in range(n)])
    bbox = np.array([[5 + i, 60 + i, 40, 100 + i] for i in range(n)], float)
    mask = np.ones((n, 19))
    mask[[2, 9], 4] = 0
    names = [f'{i // 2 % 3}/a{i // 2}.jpg' for i in range(n)]
    # the release's order: train faces first in ra
    ra = np.array([[3, 1, 12, 5, 7, 2, 8, 6, 11, 4, 10, 9]], float)
    return dict(data=data, bbox=bbox, mask_new=mask, names=names, ra=ra)


def write_aflw(root, images=True, **changes):
    arrays = face_arrays()
    arrays.update(changes)
    names = arrays.pop('names')
    cells = np.empty((len(names), 1), dtype=object)
    for i, name in enumerate(names):
        cells[i, 0] = name
    savemat(str(root / 'AFLWinfo_release.mat'),
            dict(nameList=cells, **arrays))
    if images:
        for name in set(names):
            path = root / 'data' / 'flickr' / name
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), np.zeros((4, 4, 3), np.uint8))
    return root


def build(root, **kwargs):
    kwargs.setdefault('num_train', NUM_TRAIN)
    return DATASETS.build(dict(type='AFLW19', data_root=str(root),
                               serialize_data=False, **kwargs))


def rows_of(ds):
    """The 0-based face index of every sample (from its landmarks)."""
    return [int(ds.get_data_info(i)['face_landmarks'][0, 0]) - 10
            for i in range(len(ds))]


def test_reads_the_release_in_ra_order(tmp_path):
    root = write_aflw(tmp_path)
    test = build(root, split='test')
    assert rows_of(test) == [10, 3, 9, 8]  # ra[8:] - 1
    info = test.get_data_info(1)
    k = np.arange(19)
    assert info['img_path'] == osp.join(str(root), 'data', 'flickr',
                                        '1/a1.jpg')
    np.testing.assert_array_equal(
        info['face_landmarks'], np.stack([13 + k, 50 + 2 * k], 1))
    assert info['face_landmarks'].dtype == np.float32
    # left, right, top, bottom -> x1, y1, x2, y2
    assert info['face_box'].tolist() == [8, 40, 63, 103]
    assert info['landmark_visible'].all()
    assert not test.get_data_info(2)['landmark_visible'][4]
    assert test.metainfo['num_landmarks'] == 19
    assert test.metainfo['flip_pairs'] == FLIP_PAIRS_19
    assert test.metainfo['eye_corners'] == (6, 11)
    frontal = build(root, split='test', subset='frontal')
    assert rows_of(frontal) == [10, 3, 8]  # face 9 hides a point

    train = build(root, split='train', val_ratio=0)
    assert rows_of(train) == [2, 0, 11, 4, 6, 1, 7, 5]


def test_validation_holds_out_whole_images_of_the_training_part(tmp_path):
    root = write_aflw(tmp_path)
    train = build(root, split='train', val_ratio=0.25)
    val = build(root, split='val', val_ratio=0.25)
    names = lambda ds: {ds.get_data_info(i)['img_path']  # noqa: E731
                        for i in range(len(ds))}
    assert len(train) + len(val) == NUM_TRAIN
    assert names(train).isdisjoint(names(val))
    # the protocol splits faces, not images: 1/a1.jpg, 1/a4.jpg and
    # 2/a5.jpg hold a test face; their training faces (2, 11) are never
    # validation faces
    test = {osp.relpath(p, root / 'data' / 'flickr')
            for p in names(build(root, split='test'))}
    assert test == {'1/a1.jpg', '1/a4.jpg', '2/a5.jpg'}
    assert not names(val) & names(build(root, split='test'))
    for seed in range(10):
        val_rows = rows_of(build(root, split='val', val_ratio=0.6,
                                 split_seed=seed))
        assert val_rows and not {2, 11} & set(val_rows)
        assert len(val_rows) + len(build(
            root, split='train', val_ratio=0.6, split_seed=seed)) == 8
    # faces 0 and 1 share an image: both on one side
    assert (0 in rows_of(val)) == (1 in rows_of(val))
    again = build(root, split='val', val_ratio=0.25, split_seed=0)
    assert rows_of(again) == rows_of(val)
    other = [rows_of(build(root, split='val', val_ratio=0.25, split_seed=s))
             for s in range(1, 6)]
    assert any(o != rows_of(val) for o in other)


def test_bad_release_names_file_and_row(tmp_path, caplog):
    root = write_aflw(tmp_path)
    mat = str(root / 'AFLWinfo_release.mat')
    arrays = face_arrays()
    bad = arrays['data'].copy()
    bad[3, 7] = np.nan
    write_aflw(root, images=False, data=bad)
    with pytest.raises(AnnotationError,
                       match=rf'{mat}: row 4 \(1/a1.jpg\): a landmark '
                       'coordinate is not finite'):
        build(root, split='test')
    assert len(build(root, split='test', skip_invalid=True)) == 3
    box = arrays['bbox'].copy()
    box[10, 1] = box[10, 0]
    write_aflw(root, images=False, bbox=box)
    with pytest.raises(AnnotationError, match=r'row 11 .*has no area'):
        build(root, split='test')
    write_aflw(root, images=False, ra=arrays['ra'][:, :-1])
    with pytest.raises(AnnotationError, match=rf'{mat}: ra is not a '
                       r'permutation of the face indices 1..12 \(11 values\)'):
        build(root)
    write_aflw(root, images=False, mask_new=arrays['mask_new'][:, :18])
    with pytest.raises(AnnotationError, match=r'mask_new has shape \(12, 18\)'
                       r'; with 12 names in nameList it must be \(12, 19\)'):
        build(root)
    savemat(mat, dict(data=arrays['data']))
    with pytest.raises(AnnotationError, match=r'no nameList, ra, bbox, '
                       'mask_new in the file'):
        build(root)
    write_aflw(root, images=False)
    (root / 'data' / 'flickr' / '1' / 'a4.jpg').unlink()  # faces 8, 9: test
    with pytest.raises(AnnotationError, match=r'row 10 \(1/a4.jpg\): image '
                       '".*1/a4.jpg" does not exist'):
        build(root, split='test')
    build(root, split='train', val_ratio=0)  # only the split's images
    with pytest.raises(FileNotFoundError, match='AFLWinfo_release.mat'):
        build(tmp_path / 'nowhere')
    with pytest.raises(ValueError, match="subset must be 'full' or "
                       "'frontal'"):
        build(root, subset='front')
    with pytest.raises(AnnotationError, match='no test part after '
                       'num_train=20000'):
        build(root, num_train=20000)


def test_config_pipeline_gives_the_protocol_nme(tmp_path):
    # the AFLW-19 config's pipeline (at 32 px) and metric: a prediction 1
    # px (of the crop) off at every point has NME 1 / sqrt(w * h) of the
    # annotated box mapped into the crop, which is scaled by 32 / (1.25 x
    # its longer side)
    from mmengine.config import Config
    from mmpretrain.registry import METRICS
    root = write_aflw(tmp_path)
    cfg = Config.fromfile(osp.join(
        osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
        'configs', 'pros', 'vit-small-p16_ft-1xb64-60e_aflw19.py'))
    pipeline = cfg.test_dataloader.dataset.pipeline
    pipeline[1]['size'] = 32
    test = build(root, split='test', pipeline=pipeline)
    metric = METRICS.build(cfg.test_evaluator)
    expected = []
    for i in range(len(test)):
        packed = test[i]['data_samples']
        packed.set_field(packed.face_landmarks + [0.6, 0.8],
                         'pred_landmarks')
        metric.process(None, [packed])
        face = rows_of(test)[i]
        w, h = 55.0, 60.0 + face
        factor = 32 / (1.25 * max(w, h))
        expected.append(1 / (factor * np.sqrt(w * h)))
    result = metric.evaluate(len(test))
    assert result['nme'] == pytest.approx(100 * np.mean(expected), rel=1e-5)


def test_a_v73_release_reads_the_same(tmp_path):
    from test_matlab_files import write_mat73
    v5 = write_aflw(tmp_path)
    before = build(v5, split='test')
    arrays = face_arrays()
    write_mat73(str(tmp_path / 'AFLWinfo_release.mat'),
                dict(nameList=arrays.pop('names'), **arrays))
    after = build(v5, split='test')
    assert len(after) == len(before) == 4
    for i in range(4):
        a, b = before.get_data_info(i), after.get_data_info(i)
        assert a['img_path'] == b['img_path']
        for key in ('face_landmarks', 'face_box', 'landmark_visible'):
            np.testing.assert_array_equal(a[key], b[key])
