"""AffectNet reads the official training.csv / validation.csv lists."""
import logging
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import AffectNet, AnnotationError, holdout_split
from fbp_mm.datasets import affectnet as affectnet_module
from fbp_mm.datasets import annotations as annotations_module

HEADER = ('subDirectory_filePath,face_x,face_y,face_width,face_height,'
          'facial_landmarks,expression,valence,arousal')
LISTS = 'Manually_Annotated_file_lists'
IMAGES = 'Manually_Annotated_Images'


def landmarks_text(offset=0.0):
    """68 x;y pairs as the CSV writes them: x_k = k + offset, y_k = 2k."""
    return ';'.join(f'{k + offset:.2f};{2 * k:.2f}' for k in range(68))


def row(path, code, box=(10, 20, 100, 120), landmarks=None, va=(0.5, -0.25)):
    if landmarks is None:
        landmarks = landmarks_text()
    return ','.join([path, *map(str, box), landmarks, str(code),
                     *map(str, va)])


# training.csv: path, expression code (8 none, 9 uncertain, 10 no-face).
TRAIN = [('689/a.jpg', 1), ('689/b.jpg', 0), ('690/c.jpg', 7),
         ('690/d.jpg', 8), ('691/e.jpg', 10), ('691/f.jpg', 6)]
TEST = [('1/x.jpg', 3), ('1/y.jpg', 9), ('2/z.jpg', 7)]


def write_affectnet(root, train=TRAIN, test=TEST, extra_train=(),
                    test_header=True):
    """Write both CSVs and tiny images in AffectNet's layout; return the
    root as str."""
    (root / LISTS).mkdir(parents=True, exist_ok=True)
    lines = [HEADER] + [row(p, c) for p, c in train] + list(extra_train)
    (root / LISTS / 'training.csv').write_text('\n'.join(lines) + '\n')
    lines = ([HEADER] if test_header else []) + [row(p, c) for p, c in test]
    (root / LISTS / 'validation.csv').write_text('\n'.join(lines) + '\n')
    img = np.zeros((4, 4, 3), np.uint8)
    for path, _ in list(train) + list(test):
        target = root / IMAGES / path
        target.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(target), img)
    return str(root)


def build(**kwargs):
    # serialize_data=False skips MMEngine's gc.collect() (~0.3 s a build)
    kwargs.setdefault('serialize_data', False)
    return DATASETS.build(dict(type='AffectNet', **kwargs))


def paths_of(ds):
    return [
        osp.relpath(ds.get_data_info(i)['img_path'],
                    osp.join(ds.data_root, IMAGES)) for i in range(len(ds))
    ]


def test_official_csv_values(tmp_path):
    root = write_affectnet(tmp_path)
    train = build(data_root=root, split='train', val_ratio=0)
    assert isinstance(train, AffectNet)
    assert train.metainfo['classes'] == ('neutral', 'happy', 'sad',
                                         'surprise', 'fear', 'disgust',
                                         'anger', 'contempt')
    assert paths_of(train) == ['689/a.jpg', '689/b.jpg', '690/c.jpg',
                               '691/f.jpg']
    assert train.get_gt_labels() == [1, 0, 7, 6]
    first = train.get_data_info(0)
    assert first['img_path'] == osp.join(root, IMAGES, '689', 'a.jpg')
    assert first['face_box'].dtype == np.float32
    np.testing.assert_array_equal(first['face_box'], [10, 20, 110, 140])
    np.testing.assert_array_equal(first['gt_valence_arousal'], [0.5, -0.25])
    points = first['face_landmarks']
    assert points.dtype == np.float32 and points.shape == (68, 2)
    np.testing.assert_array_equal(points[:, 0], np.arange(68))
    np.testing.assert_array_equal(points[:, 1], 2 * np.arange(68))
    assert train.dropped == {'none': 1, 'no-face': 1}

    test = build(data_root=root, split='test')
    assert paths_of(test) == ['1/x.jpg', '2/z.jpg']
    assert test.get_gt_labels() == [3, 7]
    assert test.dropped == {'uncertain': 1}


def test_seven_classes_drop_contempt(tmp_path, monkeypatch):
    root = write_affectnet(tmp_path)
    logged = []
    monkeypatch.setattr(
        affectnet_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    train = build(data_root=root, split='train', val_ratio=0, num_classes=7)
    assert train.metainfo['classes'] == ('neutral', 'happy', 'sad',
                                         'surprise', 'fear', 'disgust',
                                         'anger')
    assert train.get_gt_labels() == [1, 0, 6]
    assert train.dropped == {'contempt': 1, 'none': 1, 'no-face': 1}
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.INFO
    assert message.startswith("AffectNet: dropped 3 row(s) of split 'train'")
    assert 'contempt: 1' in message and 'no-face: 1' in message
    with pytest.raises(ValueError, match='num_classes must be 8, or 7'):
        build(data_root=root, num_classes=6)


def test_packs_class_and_landmarks(tmp_path):
    root = write_affectnet(tmp_path)
    ds = build(data_root=root, split='test', serialize_data=True,
               pipeline=[dict(type='LoadImageFromFile'),
                         dict(type='PackInputs',
                              algorithm_keys=['face_landmarks'])])
    sample = ds[0]['data_samples']
    assert sample.gt_label.tolist() == [3]
    assert tuple(sample.face_landmarks.shape) == (68, 2)


def test_headerless_csv_and_empty_landmarks(tmp_path):
    root = write_affectnet(tmp_path, test_header=False)
    assert build(data_root=root, split='test').get_gt_labels() == [3, 7]
    root = write_affectnet(
        tmp_path, extra_train=[row('692/g.jpg', 2, landmarks='')])
    (tmp_path / IMAGES / '692').mkdir()
    cv2.imwrite(str(tmp_path / IMAGES / '692' / 'g.jpg'),
                np.zeros((4, 4, 3), np.uint8))
    ds = build(data_root=root, split='train', val_ratio=0)
    last = ds.get_data_info(len(ds) - 1)
    assert last['gt_label'] == 2 and 'face_landmarks' not in last
    without = build(data_root=root, split='train', val_ratio=0,
                    with_landmarks=False)
    assert 'face_landmarks' not in without.get_data_info(0)


@pytest.mark.parametrize('line, message', [
    (row('692/g.jpg', 11), "expression '11' is not an integer 0..10"),
    (row('692/g.jpg', -1), "expression '-1' is not an integer 0..10"),
    (row('692/g.jpg', 'happy'), "expression 'happy' is not an integer"),
    (row('692/g.jpg', 1, box=(10, 'x', 100, 100)), "face_y 'x' is not a "
     'number'),
    (row('692/g.jpg', 1, box=(10, 10, 0, 100)), 'must be positive'),
    (row('692/g.jpg', 1, va=('nan', 0)), "valence 'nan' is not finite"),
    (row('692/g.jpg', 1, va=(0, '?')), "arousal '\\?' is not a number"),
    (row('692/g.jpg', 1, landmarks='1;2;3'), 'expected 136 '
     'facial_landmarks values .*got 3'),
    (row('692/g.jpg', 1, landmarks=landmarks_text()[:-4] + 'abc'),
     'a facial_landmarks value is not a number'),
    ('692/g.jpg,1,2,3', 'expected 9 comma-separated fields .*got 4'),
    (row('689/a.jpg', 1), r'"689/a\.jpg" is listed twice \(first on line '
     r'2\)'),
    (row('692/g.jpg', 1), r'image .*692/g\.jpg" does not exist'),
])
def test_bad_rows_name_file_and_line(tmp_path, line, message):
    root = write_affectnet(tmp_path, extra_train=[line])
    with pytest.raises(AnnotationError,
                       match=r'training\.csv:8: .*' + message):
        build(data_root=root, split='train', val_ratio=0)


def test_bad_header_and_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'AffectNet list .*training\.csv'):
        build(data_root=str(tmp_path))
    root = write_affectnet(tmp_path)
    path = tmp_path / LISTS / 'validation.csv'
    path.write_text(path.read_text().replace('expression', 'emotion', 1))
    with pytest.raises(AnnotationError,
                       match=r'validation\.csv:1: expected the header'):
        build(data_root=root, split='test')


def test_dropped_rows_need_no_image(tmp_path):
    root = write_affectnet(tmp_path)
    (tmp_path / IMAGES / '691' / 'e.jpg').unlink()  # a no-face row
    assert len(build(data_root=root, split='train', val_ratio=0)) == 4
    (tmp_path / IMAGES / '690' / 'c.jpg').unlink()  # contempt
    assert len(build(data_root=root, split='train', val_ratio=0,
                     num_classes=7)) == 3
    with pytest.raises(AnnotationError, match=r'training\.csv:4: image'):
        build(data_root=root, split='train', val_ratio=0)


def test_skip_invalid_drops_rows_with_one_warning(tmp_path, monkeypatch):
    root = write_affectnet(
        tmp_path, extra_train=[row('692/g.jpg', 12), 'a,b'])
    (tmp_path / IMAGES / '689' / 'b.jpg').unlink()
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    ds = build(data_root=root, split='train', val_ratio=0,
               skip_invalid=True)
    assert paths_of(ds) == ['689/a.jpg', '690/c.jpg', '691/f.jpg']
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 3 invalid row(s)')
    assert "training.csv:8: expression '12'" in message


# -------------------------------------------------- validation hold-out
MANY = [(f'{k // 5}/{k:03d}.jpg', k % 11) for k in range(40)]


def test_val_is_a_seeded_holdout_of_training_csv(tmp_path):
    root = write_affectnet(tmp_path, train=MANY)
    names = [p for p, _ in MANY]
    mask = holdout_split(names, 0.1, 0)
    held = {p for p, v in zip(names, mask) if v}
    val = build(data_root=root, split='val')
    train = build(data_root=root, split='train')
    assert (val.val_ratio, val.split_seed) == (0.1, 0)
    # drawn over all 40 rows (any code); rows of codes 8..10 are dropped
    assert set(paths_of(val)) == {p for p, c in MANY if p in held and c < 8}
    assert set(paths_of(train)) == {
        p for p, c in MANY if p not in held and c < 8}
    assert not set(paths_of(val)) & set(paths_of(train))
    # 7 classes: a subset of the same hold-out
    val7 = build(data_root=root, split='val', num_classes=7)
    assert set(paths_of(val7)) == {p for p, c in MANY if p in held and c < 7}
    # seeded and deterministic
    assert paths_of(build(data_root=root, split='val')) == paths_of(val)
    assert set(paths_of(build(data_root=root, split='val',
                              split_seed=5))) != set(paths_of(val))
    # the test split is validation.csv, untouched by the hold-out
    assert paths_of(build(data_root=root, split='test', val_ratio=0.5)) == [
        '1/x.jpg', '2/z.jpg']
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        build(data_root=root, split='val', val_ratio=0)
    with pytest.raises(ValueError, match="'train', 'val' or 'test'"):
        build(data_root=root, split='validation')
