"""Face300W (.pts beside each image) and WFLW (official annotation lists)."""
import logging
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import WFLW, AnnotationError, Face300W, holdout_split
from fbp_mm.datasets import annotations as annotations_module
from fbp_mm.datasets.face_landmarks import (FLIP_PAIRS_98, WFLW_ATTRIBUTES,
                                            read_pts)
from fbp_mm.faces.landmarks import FLIP_PAIRS_68

IMG = np.zeros((6, 8, 3), np.uint8)


def capture_warnings(monkeypatch):
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    return logged


# ----------------------------------------------------------------- 300W
def points_68(k):
    """Distinct 1-based points of image ``k``, exact in float32."""
    i = np.arange(68, dtype=np.float64)
    return np.stack([10 + i + 100 * k, 20.5 + 0.25 * i + k], axis=1)


def pts_text(points, n_points=None):
    n_points = len(points) if n_points is None else n_points
    body = ''.join(f'{x:.3f} {y:.3f}\n' for x, y in points)
    return f'version: 1\nn_points:  {n_points}\n{{\n{body}}}\n'


# Image paths relative to data_root, as in the released archives.
IMAGES_300W = [
    'lfpw/testset/image_0001.png', 'helen/testset/296814969_3.jpg',
    'ibug/image_003_1.jpg'
]


def write_300w(root, list_name='full.txt'):
    """Write three images with their .pts and an image list (with a
    comment and a blank line); return the root as str."""
    for k, rel in enumerate(IMAGES_300W):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), IMG)
        path.with_suffix('.pts').write_text(pts_text(points_68(k)))
    (root / list_name).write_text('# 300W full test set\n' +
                                  '\n'.join(IMAGES_300W[:2]) + '\n\n' +
                                  IMAGES_300W[2] + '\n')
    return str(root)


def build_300w(root, **kwargs):
    # serialize_data=False skips MMEngine's gc.collect() (~0.3 s a build)
    kwargs.setdefault('serialize_data', False)
    kwargs.setdefault('ann_file', 'full.txt')
    return DATASETS.build(dict(type='Face300W', data_root=root, **kwargs))


def test_300w_reads_pts_and_shifts_to_zero_based(tmp_path):
    root = write_300w(tmp_path)
    ds = build_300w(root)
    assert isinstance(ds, Face300W)
    assert len(ds) == 3
    for k, rel in enumerate(IMAGES_300W):
        info = ds.get_data_info(k)
        assert info['img_path'] == osp.join(root, rel)
        assert info['face_landmarks'].dtype == np.float32
        assert info['face_landmarks'].shape == (68, 2)
        np.testing.assert_array_equal(info['face_landmarks'],
                                      points_68(k) - 1)
        assert info['face_box'].dtype == np.float32
    np.testing.assert_array_equal(
        ds.get_data_info(0)['face_landmarks'][[0, 67]],
        [[9, 19.5], [76, 36.25]])
    np.testing.assert_array_equal(ds.get_data_info(2)['face_box'],
                                  [209, 21.5, 276, 38.25])
    assert ds.metainfo['num_landmarks'] == 68
    assert ds.metainfo['flip_pairs'] == list(FLIP_PAIRS_68)
    assert ds.metainfo['eye_corners'] == (36, 45)
    assert ds.metainfo['eye_indices'] == [[36, 37, 38, 39, 40, 41],
                                          [42, 43, 44, 45, 46, 47]]


def test_read_pts_keeps_the_file_values(tmp_path):
    path = tmp_path / 'a.pts'
    path.write_text(pts_text(points_68(0)).replace('\n', '\r\n'))
    np.testing.assert_array_equal(read_pts(str(path)), points_68(0))
    with pytest.raises(FileNotFoundError, match='b.pts'):
        read_pts(str(tmp_path / 'b.pts'))


def good_pts_lines():
    return pts_text(points_68(1)).splitlines()


def replaced(lines, index, text):
    lines = list(lines)
    lines[index] = text
    return lines


@pytest.mark.parametrize('lines, line, message', [
    (replaced(good_pts_lines(), 0, 'version: 2'), 1,
     'expected "version: 1"'),
    (replaced(good_pts_lines(), 1, 'n_points:  98'), 2,
     'n_points is 98, expected 68'),
    (replaced(good_pts_lines(), 1, 'points: 68'), 2,
     'expected "n_points: 68"'),
    (replaced(good_pts_lines(), 2, '['), 3, 'expected "{"'),
    (replaced(good_pts_lines(), 12, '12.0 abc'), 13, 'is not a number'),
    (replaced(good_pts_lines(), 12, '12.0'), 13, 'expected "x y"'),
    (replaced(good_pts_lines(), 12, 'nan 1'), 13, 'is not finite'),
    (good_pts_lines()[:-1], 72, r'expected "}" after 68 points, got the '
     'end of file'),
    (good_pts_lines()[:-1] + ['1 2', '}'], 72, "expected \"}\" after 68 "
     "points, got '1 2'"),
    (good_pts_lines()[:40], 41, 'the file ends after 37 of 68 points'),
    (good_pts_lines() + ['', 'extra'], 74, "unexpected 'extra'"),
])
def test_300w_bad_pts_names_pts_file_and_line(tmp_path, lines, line,
                                              message):
    root = write_300w(tmp_path)
    (tmp_path / 'helen/testset/296814969_3.pts').write_text(
        '\n'.join(lines) + '\n')
    with pytest.raises(AnnotationError,
                       match=rf'296814969_3\.pts:{line}: .*{message}'):
        build_300w(root)


def test_300w_missing_files_name_list_line(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'Image list .*full\.txt'):
        build_300w(str(tmp_path))
    root = write_300w(tmp_path)
    (tmp_path / 'ibug' / 'image_003_1.pts').unlink()
    with pytest.raises(AnnotationError,
                       match=r'full\.txt:5: landmark file .*image_003_1\.pts'
                       '" does not exist'):
        build_300w(root)
    (tmp_path / 'lfpw/testset/image_0001.png').unlink()
    with pytest.raises(AnnotationError,
                       match=r'full\.txt:2: image .*image_0001\.png" does '
                       'not exist'):
        build_300w(root)


def write_300w_train(root, num=10, name='train.txt', order=None):
    """``num`` training images (``afw``, ``helen/trainset``) with their
    .pts and a list of them; return the root and the listed names."""
    names = [f'afw/{k:03d}_1.jpg' if k % 2 else f'helen/trainset/{k}.jpg'
             for k in range(num)]
    for k, rel in enumerate(names):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), IMG)
        path.with_suffix('.pts').write_text(pts_text(points_68(k)))
    listed = names if order is None else [names[i] for i in order]
    (root / name).write_text('# 300W training images\n' +
                             '\n'.join(listed) + '\n')
    return str(root), names


def names_300w(ds, root):
    return [osp.relpath(ds.get_data_info(i)['img_path'], root)
            for i in range(len(ds))]


def test_300w_split_all_reads_the_whole_list(tmp_path):
    root, names = write_300w_train(tmp_path)
    for kwargs in (dict(), dict(split='all'), dict(split='all', val_ratio=0.5),
                   dict(split='train', val_ratio=0)):
        ds = build_300w(root, ann_file='train.txt', **kwargs)
        assert names_300w(ds, root) == names
    assert build_300w(root, ann_file='train.txt').split == 'all'


def test_300w_val_is_a_seeded_holdout_of_the_list(tmp_path):
    root, names = write_300w_train(tmp_path)
    train = build_300w(root, ann_file='train.txt', split='train')
    val = build_300w(root, ann_file='train.txt', split='val')
    train_names, val_names = names_300w(train, root), names_300w(val, root)
    assert len(val_names) == 1 and len(train_names) == 9
    assert not set(train_names) & set(val_names)
    assert sorted(train_names + val_names) == sorted(names)
    mask = holdout_split(names, 0.1, 0)
    assert val_names == [n for n, v in zip(names, mask) if v]
    k = names.index(val_names[0])
    np.testing.assert_array_equal(val.get_data_info(0)['face_landmarks'],
                                  points_68(k) - 1)
    assert names_300w(build_300w(root, ann_file='train.txt', split='val'),
                      root) == val_names
    assert len(build_300w(root, ann_file='train.txt', split='val',
                          val_ratio=0.3)) == 3
    seeds = {tuple(names_300w(build_300w(root, ann_file='train.txt',
                                         split='val', split_seed=s), root))
             for s in range(4)}
    assert len(seeds) > 1


def test_300w_holdout_ignores_line_order(tmp_path):
    root, names = write_300w_train(tmp_path)
    write_300w_train(tmp_path, name='shuffled.txt',
                     order=[3, 9, 0, 7, 1, 8, 2, 6, 4, 5])
    for split in ('train', 'val'):
        a = build_300w(root, ann_file='train.txt', split=split,
                       val_ratio=0.3)
        b = build_300w(root, ann_file='shuffled.txt', split=split,
                       val_ratio=0.3)
        assert set(names_300w(a, root)) == set(names_300w(b, root))


def test_300w_test_lists_are_read_whole(tmp_path):
    root = write_300w(tmp_path)
    write_300w_train(tmp_path)
    full = build_300w(root)  # split='all'
    assert names_300w(full, root) == IMAGES_300W


def test_300w_checks_files_of_its_own_side_only(tmp_path):
    root, _ = write_300w_train(tmp_path)
    val_name, = names_300w(build_300w(root, ann_file='train.txt',
                                      split='val'), root)
    os.remove(osp.join(root, osp.splitext(val_name)[0] + '.pts'))
    assert len(build_300w(root, ann_file='train.txt', split='train')) == 9
    with pytest.raises(AnnotationError, match='landmark file'):
        build_300w(root, ann_file='train.txt', split='val')
    with pytest.raises(AnnotationError, match='landmark file'):
        build_300w(root, ann_file='train.txt')


def test_300w_split_is_checked(tmp_path):
    with pytest.raises(ValueError, match="'all', 'train' or 'val'"):
        Face300W(ann_file='train.txt', split='test')
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        Face300W(ann_file='train.txt', split='val', val_ratio=0)
    with pytest.raises(ValueError, match=r'val_ratio must be in \[0, 1\)'):
        Face300W(ann_file='train.txt', split='train', val_ratio=1.5)


def test_300w_skip_invalid(tmp_path, monkeypatch):
    root = write_300w(tmp_path)
    (tmp_path / 'ibug' / 'image_003_1.pts').write_text(
        pts_text(points_68(2)[:60], n_points=68))
    logged = capture_warnings(monkeypatch)
    ds = build_300w(root, skip_invalid=True)
    assert [ds.get_data_info(i)['img_path'] for i in range(2)] == [
        osp.join(root, rel) for rel in IMAGES_300W[:2]
    ]
    assert len(ds) == 2
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 1 invalid row(s)')
    assert 'image_003_1.pts:64: expected "x y"' in message


# ----------------------------------------------------------------- WFLW
WFLW_LISTS = osp.join('WFLW_annotations', 'list_98pt_rect_attr_train_test')


def points_98(k):
    i = np.arange(98, dtype=np.float64)
    return np.stack([5.5 + i + 200 * k, 300.25 - 0.5 * i], axis=1)


def wflw_row(points, box, attrs, rel):
    values = ' '.join(f'{v:.6f}' for v in np.asarray(points).ravel())
    return (f'{values} {" ".join(str(v) for v in box)} '
            f'{" ".join(str(v) for v in attrs)} {rel}')


# (image relative to WFLW_images, box, attributes); two faces in one image.
WFLW_TRAIN = [
    ('51--Dresses/51_Dresses_wearingdress_51_377.jpg', (10, 20, 110, 130),
     (0, 1, 0, 0, 1, 0)),
    ('51--Dresses/51_Dresses_wearingdress_51_377.jpg', (200, 30, 260, 95),
     (1, 0, 0, 1, 0, 0)),
    ('0--Parade/0_Parade_marchingband_1_116.jpg', (5, 6, 7, 8),
     (0, 0, 1, 0, 0, 1)),
]
WFLW_TEST = [('37--Soccer/37_Soccer_soccer_ball_37_45.jpg', (1, 2, 30, 40),
              (1, 1, 1, 1, 1, 1))]


def write_wflw(root, extra_train=()):
    """Write the train / test lists and tiny images in WFLW's layout;
    return the root as str."""
    (root / WFLW_LISTS).mkdir(parents=True, exist_ok=True)
    for split, rows in (('train', WFLW_TRAIN), ('test', WFLW_TEST)):
        lines = [wflw_row(points_98(k), box, attrs, rel)
                 for k, (rel, box, attrs) in enumerate(rows)]
        if split == 'train':
            lines += list(extra_train)
        (root / WFLW_LISTS / f'list_98pt_rect_attr_{split}.txt').write_text(
            '\n'.join(lines) + '\n')
        for rel, _, _ in rows:
            path = root / 'WFLW_images' / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), IMG)
    return str(root)


def build_wflw(root, **kwargs):
    kwargs.setdefault('serialize_data', False)
    return DATASETS.build(dict(type='WFLW', data_root=root, **kwargs))


def test_wflw_reads_official_rows(tmp_path):
    root = write_wflw(tmp_path)
    ds = build_wflw(root, split='train', val_ratio=0)
    assert isinstance(ds, WFLW)
    assert len(ds) == 3
    for k, (rel, box, attrs) in enumerate(WFLW_TRAIN):
        info = ds.get_data_info(k)
        assert info['img_path'] == osp.join(root, 'WFLW_images', rel)
        assert info['face_landmarks'].dtype == np.float32
        np.testing.assert_array_equal(info['face_landmarks'], points_98(k))
        assert info['face_box'].dtype == np.float32
        np.testing.assert_array_equal(info['face_box'], box)
        assert info['wflw_attributes'] == dict(zip(WFLW_ATTRIBUTES, attrs))
    assert ds.get_data_info(0)['wflw_attributes'] == dict(
        pose=0, expression=1, illumination=0, make_up=0, occlusion=1, blur=0)
    np.testing.assert_array_equal(ds.get_data_info(1)['face_landmarks'][97],
                                  [302.5, 251.75])
    test = build_wflw(root, split='test', serialize_data=True)
    assert len(test) == 1
    assert test.get_data_info(0)['img_path'].endswith('37_45.jpg')
    assert test.metainfo['num_landmarks'] == 98
    assert test.metainfo['eye_corners'] == (60, 72)
    assert test.metainfo['eye_indices'] == [[96], [97]]
    assert test.metainfo['eye_contours'] == [list(range(60, 68)),
                                             list(range(68, 76))]
    assert test.metainfo['flip_pairs'] == FLIP_PAIRS_98


def test_wflw_ann_file_overrides_split(tmp_path):
    root = write_wflw(tmp_path)
    rel, box, attrs = WFLW_TRAIN[2]
    (tmp_path / 'pose_subset.txt').write_text(
        wflw_row(points_98(7), box, attrs, rel) + '\n')
    ds = build_wflw(root, split='test', ann_file='pose_subset.txt')
    assert len(ds) == 1
    np.testing.assert_array_equal(ds.get_data_info(0)['face_landmarks'],
                                  points_98(7))


def test_wflw_missing_list_says_what_it_is(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'Annotation list .*list_98pt_rect_attr_test'):
        build_wflw(str(tmp_path), split='test')


GOOD = wflw_row(points_98(0), (1, 2, 3, 4), (0, 0, 0, 0, 0, 0),
                '0--Parade/0_Parade_marchingband_1_116.jpg').split()


def row_with(index, value):
    fields = list(GOOD)
    fields[index] = value
    return ' '.join(fields)


@pytest.mark.parametrize('line, message', [
    (' '.join(GOOD[1:]), 'expected 207 fields .* got 206'),
    (' '.join(GOOD + ['x']), 'got 208'),
    (row_with(5, 'abc'), 'a landmark value is not a number'),
    (row_with(5, 'inf'), 'a landmark value is not finite'),
    (row_with(198, '3.5'), 'is not an integer'),
    (row_with(203, '2'), "attribute value '2' is not 0 or 1"),
    (row_with(206, 'nope/x.jpg'), r'image .*nope/x\.jpg" does not exist'),
], ids=['206_fields', '208_fields', 'landmark_text', 'landmark_inf',
        'box_float', 'attribute_2', 'missing_image'])
def test_wflw_bad_rows_name_file_and_line(tmp_path, line, message):
    root = write_wflw(tmp_path, extra_train=[line])
    with pytest.raises(AnnotationError,
                       match=r'rect_attr_train\.txt:4: .*' + message):
        build_wflw(root, val_ratio=0)


def test_wflw_skip_invalid(tmp_path, monkeypatch):
    root = write_wflw(tmp_path,
                      extra_train=[row_with(0, 'x'), row_with(200, '-1')])
    logged = capture_warnings(monkeypatch)
    ds = build_wflw(root, skip_invalid=True, val_ratio=0)
    assert len(ds) == 3
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 2 invalid row(s)')
    assert 'list_98pt_rect_attr_train.txt:4:' in message


def test_wflw_split_is_checked():
    with pytest.raises(ValueError, match="'train', 'val' or 'test'"):
        WFLW(split='all')
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        WFLW(split='val', val_ratio=0)
    with pytest.raises(ValueError, match=r'val_ratio must be in \[0, 1\)'):
        WFLW(split='train', val_ratio=1)


# 12 training images, the first four with two faces (16 rows); lines of
# one image are not adjacent, as faces of one image need not be in WFLW.
MANY_IMAGES = [f'{k}--Event/{k}_Event_img_{k}.jpg' for k in range(12)]
MANY_ROWS = [(rel, (k, k, k + 10, k + 10), (0, 0, 0, 0, 0, 0))
             for k, rel in enumerate(MANY_IMAGES)]
MANY_ROWS += [(MANY_IMAGES[k], (50 + k, 50, 90 + k, 90), (1, 0, 0, 0, 0, 0))
              for k in range(4)]


def write_wflw_many(root, rows=MANY_ROWS):
    """WFLW layout with ``rows`` as the training list (face ``k`` has the
    points ``points_98(k)``) and the usual test list."""
    write_wflw(root)
    lines = [wflw_row(points_98(k), box, attrs, rel)
             for k, (rel, box, attrs) in enumerate(rows)]
    (root / WFLW_LISTS / 'list_98pt_rect_attr_train.txt').write_text(
        '\n'.join(lines) + '\n')
    for rel in MANY_IMAGES:
        path = root / 'WFLW_images' / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), IMG)
    return str(root)


def faces(ds, root):
    """``(image, first landmark x)`` per face: identifies the row."""
    base = osp.join(root, 'WFLW_images')
    return [(osp.relpath(info['img_path'], base),
             float(info['face_landmarks'][0, 0]))
            for info in (ds.get_data_info(i) for i in range(len(ds)))]


def test_wflw_val_holds_out_whole_images(tmp_path):
    root = write_wflw_many(tmp_path)
    train = build_wflw(root, split='train')
    val = build_wflw(root, split='val')
    train_faces, val_faces = faces(train, root), faces(val, root)
    all_faces = faces(build_wflw(root, split='train', val_ratio=0), root)
    assert len(all_faces) == 16
    # disjoint, and together the official training list, in its order
    assert not set(train_faces) & set(val_faces)
    assert sorted(train_faces + val_faces) == sorted(all_faces)
    assert train_faces == [f for f in all_faces if f in set(train_faces)]
    # by image: all faces of an image on one side
    train_images = {img for img, _ in train_faces}
    val_images = {img for img, _ in val_faces}
    assert not train_images & val_images
    assert train_images | val_images == set(MANY_IMAGES)
    assert len(val_images) == 1  # round(0.1 * 12) images
    mask = holdout_split(MANY_IMAGES, 0.1, 0)
    assert val_images == {n for n, v in zip(MANY_IMAGES, mask) if v}
    # deterministic; the seed and the ratio change the draw
    assert faces(build_wflw(root, split='val'), root) == val_faces
    assert len({img for img, _ in faces(
        build_wflw(root, split='val', val_ratio=0.5), root)}) == 6
    seeds = {frozenset(img for img, _ in faces(
        build_wflw(root, split='val', split_seed=s), root)) for s in range(4)}
    assert len(seeds) > 1


def test_wflw_holdout_puts_both_faces_of_an_image_together(tmp_path):
    root = write_wflw_many(tmp_path)
    for seed in range(6):
        val = faces(build_wflw(root, split='val', val_ratio=0.3,
                               split_seed=seed), root)
        images = {img for img, _ in val}
        expected = sum(1 + (MANY_IMAGES.index(img) < 4) for img in images)
        assert len(val) == expected


def test_wflw_holdout_ignores_row_order(tmp_path):
    root = write_wflw_many(tmp_path / 'a')
    val = set(faces(build_wflw(root, split='val', val_ratio=0.3), root))
    # same rows (same points per row), other order
    other = tmp_path / 'b'
    write_wflw_many(other)
    rows = (tmp_path / 'a' / WFLW_LISTS /
            'list_98pt_rect_attr_train.txt').read_text().splitlines()
    (other / WFLW_LISTS / 'list_98pt_rect_attr_train.txt').write_text(
        '\n'.join(rows[::-1]) + '\n')
    assert set(faces(build_wflw(str(other), split='val', val_ratio=0.3),
                     str(other))) == val


def test_wflw_test_split_is_untouched(tmp_path):
    root = write_wflw_many(tmp_path)
    for kwargs in (dict(), dict(val_ratio=0), dict(val_ratio=0.5,
                                                   split_seed=3)):
        test = build_wflw(root, split='test', **kwargs)
        assert faces(test, root) == [(WFLW_TEST[0][0], 5.5)]


def test_wflw_checks_images_of_its_own_side_only(tmp_path):
    root = write_wflw_many(tmp_path)
    train_faces = faces(build_wflw(root, split='train'), root)
    val_image, = {img for img, _ in faces(build_wflw(root, split='val'),
                                          root)}
    os.remove(osp.join(root, 'WFLW_images', val_image))
    # a missing validation image neither stops nor shifts the training split
    assert faces(build_wflw(root, split='train'), root) == train_faces
    with pytest.raises(AnnotationError, match='does not exist'):
        build_wflw(root, split='val')
    # bad rows are errors on every side
    with open(osp.join(root, WFLW_LISTS, 'list_98pt_rect_attr_train.txt'),
              'a') as f:
        f.write(row_with(5, 'abc') + '\n')
    with pytest.raises(AnnotationError, match='not a number'):
        build_wflw(root, split='train')


# ----------------------------------------------------------- flip pairs
@pytest.mark.parametrize('pairs, n', [(FLIP_PAIRS_98, 98),
                                      (list(FLIP_PAIRS_68), 68)])
def test_flip_pairs_are_an_involution(pairs, n):
    flat = [i for pair in pairs for i in pair]
    assert len(flat) == len(set(flat))
    assert all(0 <= i < n for i in flat)
    assert all(a != b for a, b in pairs)
    order = np.arange(n)
    for a, b in pairs:
        order[a], order[b] = b, a
    np.testing.assert_array_equal(order[order], np.arange(n))


def symmetric_wflw_shape():
    """A face symmetric about x = 0 built from WFLW's documented point
    order alone (not from the flip pairs): every part runs from image-left
    to image-right, closed parts go back along their lower edge."""

    def mirror(p):
        return np.array([-p[0], p[1]])

    def right_of(curve):  # the mirror image, still run left to right
        return lambda s: mirror(curve(1 - s))

    def sample(curve, ss):
        return [np.asarray(curve(s), dtype=np.float64) for s in ss]

    # asymmetric within a side, so that a wrong order cannot match
    def brow_up(s):
        return (-70 + 50 * s, -50 - 12 * s + 4 * s * s)

    def brow_low(s):
        return (-70 + 50 * s, -44 - 9 * s)

    def eye_up(s):
        return (-50 + 30 * s, -20 - 8 * np.sin(np.pi * s) - 2 * s)

    def eye_low(s):
        return (-50 + 30 * s, -20 + 5 * np.sin(np.pi * s) + s)

    def pupil(s):
        return (-36, -21)

    # symmetric parts
    def contour(s):
        t = np.pi * (1 - s)
        return (80 * np.cos(t), 100 * np.sin(t) - 10)

    def nose_base(s):
        return (-12 + 24 * s, 30 - 4 * np.sin(np.pi * s))

    def mouth_up(s, w=30, h=8):
        return (-w + 2 * w * s, 60 - h * np.sin(np.pi * s))

    def mouth_low(s, w=30, h=12):
        return (-w + 2 * w * s, 60 + h * np.sin(np.pi * s))

    upper5 = [0, .25, .5, .75, 1]
    lower4 = [.8, .6, .4, .2]
    eye_ss = ([0, .25, .5, .75, 1], [.75, .5, .25])
    parts = [
        sample(contour, np.linspace(0, 1, 33)),  # 0-32
        sample(brow_up, upper5) + sample(brow_low, lower4),  # 33-41
        sample(right_of(brow_up), upper5) +
        sample(right_of(brow_low), lower4),  # 42-50
        [np.array([0., y]) for y in (-20, -10, 0, 10)],  # 51-54 bridge
        sample(nose_base, [0, .25, .5, .75, 1]),  # 55-59
        sample(eye_up, eye_ss[0]) + sample(eye_low, eye_ss[1]),  # 60-67
        sample(right_of(eye_up), eye_ss[0]) +
        sample(right_of(eye_low), eye_ss[1]),  # 68-75
        sample(mouth_up, np.linspace(0, 1, 7)) +
        sample(mouth_low, np.linspace(1, 0, 7)[1:-1]),  # 76-87
        sample(lambda s: mouth_up(s, 20, 3), [0, .25, .5, .75, 1]) +
        sample(lambda s: mouth_low(s, 20, 4), [.75, .5, .25]),  # 88-95
        sample(pupil, [0]) + sample(right_of(pupil), [0]),  # 96, 97
    ]
    shape = np.array([p for part in parts for p in part])
    assert shape.shape == (98, 2)
    return shape


def test_wflw_flip_pairs_map_a_mirrored_face_onto_itself():
    shape = symmetric_wflw_shape()
    mirrored = shape * [-1, 1]
    order = np.arange(98)
    for a, b in FLIP_PAIRS_98:
        order[a], order[b] = b, a
    # the flipped face, put back in WFLW order, is the face again
    np.testing.assert_allclose(mirrored[order], shape, atol=1e-9)
    # and the pairs are needed: the identity order does not do it
    assert not np.allclose(mirrored, shape)
    # the eye corners of the inter-ocular distance are the outer ones
    left, right = shape[60:68], shape[68:76]
    assert shape[60, 0] == left[:, 0].min()
    assert shape[72, 0] == right[:, 0].max()
    assert shape[96, 0] < 0 < shape[97, 0]


def write_landmark_list(root, names, partition=None, bad_line=None):
    import cv2
    lines = ['# image x0 y0 ... x67 y67']
    for i, name in enumerate(names):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), np.zeros((8, 8, 3), np.uint8))
        values = np.arange(136, dtype=np.float32) + i
        lines.append(name + ''.join(f' {v:.2f}' for v in values))
    (root / 'landmarks.txt').write_text('\n'.join(lines) + '\n')
    if partition is not None:
        (root / 'partition.txt').write_text(''.join(
            f'{n} {p}\n' for n, p in zip(names, partition)))
    return str(root)


def test_landmark_list_with_a_partition(tmp_path):
    names = [f'Images/F{i}.jpg' for i in range(5)]
    root = write_landmark_list(tmp_path, names, partition=[0, 1, 2, 0, 2])
    train = DATASETS.build(dict(type='FaceLandmarkList', data_root=root,
                                partition_file='partition.txt',
                                split='train', serialize_data=False))
    assert [osp.relpath(train.get_data_info(i)['img_path'], root)
            for i in range(len(train))] == ['Images/F0.jpg', 'Images/F3.jpg']
    info = train.get_data_info(1)
    assert info['face_landmarks'].shape == (68, 2)
    assert info['face_landmarks'][0].tolist() == [3.0, 4.0]
    assert info['face_box'].tolist() == [3.0, 4.0, 137.0, 138.0]
    assert train.metainfo['eye_corners'] == (36, 45)
    every = DATASETS.build(dict(type='FaceLandmarkList', data_root=root,
                                serialize_data=False))
    assert len(every) == 5


def test_landmark_list_names_the_line_of_a_missing_image(tmp_path):
    names = [f'Images/F{i}.jpg' for i in range(3)]
    root = write_landmark_list(tmp_path, names)
    os.remove(osp.join(root, 'Images/F1.jpg'))
    with pytest.raises(AnnotationError, match=r'landmarks\.txt:3: image '):
        DATASETS.build(dict(type='FaceLandmarkList', data_root=root))
    with pytest.raises(ValueError, match="split='train' needs a partition"):
        DATASETS.build(dict(type='FaceLandmarkList', data_root=root,
                            split='train'))


def test_wflw_subset_keeps_the_faces_with_the_attribute(tmp_path):
    root = write_wflw(tmp_path)
    pose = build_wflw(root, split='train', val_ratio=0, subset='pose')
    assert [pose.get_data_info(i)['face_box'].tolist()
            for i in range(len(pose))] == [[200, 30, 260, 95]]
    blur = build_wflw(root, split='train', val_ratio=0, subset='blur')
    assert blur.get_data_info(0)['img_path'].endswith('1_116.jpg')
    assert len(build_wflw(root, split='test', subset='make_up')) == 1
    assert len(build_wflw(root, split='train', val_ratio=0,
                          subset='expression')) == 1
    # one of the two training images is held out: an attribute of only
    # the other one leaves the validation subset empty
    val = build_wflw(root, split='val', val_ratio=0.5)
    held = {a for i in range(len(val))
            for a, v in val.get_data_info(i)['wflw_attributes'].items() if v}
    absent = [a for a in WFLW_ATTRIBUTES if a not in held][0]
    with pytest.raises(AnnotationError, match=rf"no valid face of split "
                       rf"'val' \(subset '{absent}'\)"):
        build_wflw(root, split='val', val_ratio=0.5, subset=absent)
    with pytest.raises(ValueError, match='subset must be None or one of'):
        build_wflw(root, split='test', subset='large_pose')
