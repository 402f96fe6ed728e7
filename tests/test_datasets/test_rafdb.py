"""RAFDBBasic reads RAF-DB's official basic-emotion label list."""
import logging
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import AnnotationError, RAFDBBasic, holdout_split
from fbp_mm.datasets import annotations as annotations_module

LIST = osp.join('EmoLabel', 'list_patition_label.txt')
# Official rows: name, label 1..7.
ROWS = [
    ('train_00001.jpg', 5),
    ('train_00002.jpg', 1),
    ('train_00003.jpg', 7),
    ('test_0001.jpg', 4),
    ('test_0002.jpg', 2),
]


def write_rafdb(root, rows=ROWS, extra_lines=(), aligned=True,
                original=True):
    """Write the label list and tiny aligned / original images in RAF-DB's
    layout; return the root as str."""
    (root / 'EmoLabel').mkdir(parents=True, exist_ok=True)
    lines = [f'{name} {label}' for name, label in rows] + list(extra_lines)
    (root / LIST).write_text('\n'.join(lines) + '\n')
    img = np.zeros((4, 4, 3), np.uint8)
    for name, _ in rows:
        stem, ext = osp.splitext(name)
        if aligned:
            (root / 'Image' / 'aligned').mkdir(parents=True, exist_ok=True)
            cv2.imwrite(
                str(root / 'Image' / 'aligned' / f'{stem}_aligned{ext}'),
                img)
        if original:
            (root / 'Image' / 'original').mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(root / 'Image' / 'original' / name), img)
    return str(root)


def build(**kwargs):
    # serialize_data=False skips MMEngine's gc.collect() (~0.3 s a build);
    # the PackInputs test keeps the default.
    kwargs.setdefault('serialize_data', False)
    return DATASETS.build(dict(type='RAFDBBasic', **kwargs))


def test_splits_labels_and_aligned_names(tmp_path):
    root = write_rafdb(tmp_path)
    train = build(data_root=root, split='train', val_ratio=0)
    assert isinstance(train, RAFDBBasic)
    assert train.metainfo['classes'] == ('surprise', 'fear', 'disgust',
                                         'happiness', 'sadness', 'anger',
                                         'neutral')
    assert [train.get_data_info(i)['img_path'] for i in range(3)] == [
        osp.join(root, 'Image', 'aligned', f'train_0000{k}_aligned.jpg')
        for k in (1, 2, 3)
    ]
    assert train.get_gt_labels() == [4, 0, 6]
    assert train.metainfo['classes'][train.get_gt_labels()[0]] == 'sadness'
    test = build(data_root=root, split='test')
    assert test.get_gt_labels() == [3, 1]
    assert test.get_data_info(1)['img_path'] == osp.join(
        root, 'Image', 'aligned', 'test_0002_aligned.jpg')


def test_original_images(tmp_path):
    root = write_rafdb(tmp_path, aligned=False)
    ds = build(data_root=root, split='test', aligned=False)
    assert ds.get_data_info(0)['img_path'] == osp.join(
        root, 'Image', 'original', 'test_0001.jpg')
    assert ds.get_gt_labels() == [3, 1]
    with pytest.raises(AnnotationError, match='_aligned.jpg" does not exist'):
        build(data_root=root, split='test')


def test_packs_a_class_index(tmp_path):
    root = write_rafdb(tmp_path)
    ds = build(data_root=root, split='train', val_ratio=0,
               serialize_data=True,
               pipeline=[dict(type='LoadImageFromFile'),
                         dict(type='PackInputs')])
    assert ds[0]['data_samples'].gt_label.tolist() == [4]


def test_missing_list_says_what_it_is(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'Label list .*list_patition_label\.txt'):
        build(data_root=str(tmp_path))


@pytest.mark.parametrize('line, message', [
    ('train_00009.jpg 0', "label '0' is not an integer 1..7"),
    ('train_00009.jpg 8', "label '8' is not an integer 1..7"),
    ('train_00009.jpg 2.5', "label '2.5' is not an integer 1..7"),
    ('train_00009.jpg', 'expected "<image> <label>", got 1 fields'),
    ('train_00009.jpg 3 4', 'got 3 fields'),
    ('val_0001.jpg 3', 'starts with neither'),
    ('train_00001.jpg 3', r'listed twice \(first on line 1\)'),
    ('train_00009.jpg 3', r'image .*train_00009_aligned\.jpg" does not'),
])
def test_bad_rows_name_file_and_line(tmp_path, line, message):
    root = write_rafdb(tmp_path, extra_lines=[line])
    with pytest.raises(AnnotationError,
                       match=r'list_patition_label\.txt:6: .*' + message):
        build(data_root=root, split='train', val_ratio=0)


def test_missing_test_image_does_not_stop_train(tmp_path):
    root = write_rafdb(tmp_path)
    (tmp_path / 'Image' / 'aligned' / 'test_0001_aligned.jpg').unlink()
    assert len(build(data_root=root, split='train', val_ratio=0)) == 3
    with pytest.raises(AnnotationError, match=r'label\.txt:4: image'):
        build(data_root=root, split='test')


def test_skip_invalid_drops_rows_with_one_warning(tmp_path, monkeypatch):
    root = write_rafdb(tmp_path, extra_lines=['train_00004.jpg 9'])
    (tmp_path / 'Image' / 'aligned' / 'train_00002_aligned.jpg').unlink()
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    ds = build(data_root=root, split='train', val_ratio=0,
               skip_invalid=True)
    assert ds.get_gt_labels() == [4, 6]
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 2 invalid row(s)')
    assert 'list_patition_label.txt:2: image' in message


def test_split_is_checked():
    with pytest.raises(ValueError, match="'train', 'val' or 'test'"):
        RAFDBBasic(data_root='', split='valid')
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        RAFDBBasic(data_root='', split='val', val_ratio=0)
    for ratio in (1.0, -0.1):
        with pytest.raises(ValueError, match=r'val_ratio must be in \[0, 1\)'):
            RAFDBBasic(data_root='', split='train', val_ratio=ratio)


# -------------------------------------------------- validation hold-out
TRAIN_NAMES = [f'train_{i:05d}.jpg' for i in range(1, 21)]
TEST_NAMES = [f'test_{i:04d}.jpg' for i in range(1, 4)]
MANY_ROWS = ([(n, 1 + i % 7) for i, n in enumerate(TRAIN_NAMES)] +
             [(n, 1 + i % 7) for i, n in enumerate(TEST_NAMES)])


def list_names(ds):
    """The list names (``train_00001.jpg``) of the samples of ``ds``."""
    return [
        osp.basename(ds.get_data_info(i)['img_path']).replace(
            '_aligned', '') for i in range(len(ds))
    ]


def test_val_is_a_seeded_holdout_of_the_training_list(tmp_path):
    root = write_rafdb(tmp_path, rows=MANY_ROWS)
    train = build(data_root=root, split='train')
    val = build(data_root=root, split='val')
    assert (train.val_ratio, train.split_seed) == (0.1, 0)
    assert len(val) == 2 and len(train) == 18  # round(0.1 * 20)
    assert not set(list_names(train)) & set(list_names(val))
    assert sorted(list_names(train) + list_names(val)) == TRAIN_NAMES
    # the documented rule: holdout_split over the names as listed
    mask = holdout_split(TRAIN_NAMES, 0.1, 0)
    assert list_names(val) == [n for n, v in zip(TRAIN_NAMES, mask) if v]
    assert list_names(train) == [
        n for n, v in zip(TRAIN_NAMES, mask) if not v]
    # list order kept, labels follow their rows
    labels = dict(MANY_ROWS)
    assert val.get_gt_labels() == [labels[n] - 1 for n in list_names(val)]
    # deterministic; another seed or ratio draws another part
    assert list_names(build(data_root=root, split='val')) == list_names(val)
    other = build(data_root=root, split='val', split_seed=1)
    assert list_names(other) != list_names(val)
    assert len(build(data_root=root, split='val', val_ratio=0.3)) == 6


def test_holdout_ignores_row_order_and_image_kind(tmp_path):
    root = write_rafdb(tmp_path / 'a', rows=MANY_ROWS)
    reordered = write_rafdb(tmp_path / 'b', rows=MANY_ROWS[::-1])
    val = set(list_names(build(data_root=root, split='val')))
    assert set(list_names(build(data_root=reordered, split='val'))) == val
    original = build(data_root=root, split='val', aligned=False)
    assert set(list_names(original)) == val


def test_val_ratio_zero_trains_on_the_whole_list(tmp_path):
    root = write_rafdb(tmp_path, rows=MANY_ROWS)
    assert list_names(build(data_root=root, split='train',
                            val_ratio=0)) == TRAIN_NAMES
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        build(data_root=root, split='val', val_ratio=0.0)


def test_test_split_is_untouched_by_the_holdout(tmp_path):
    root = write_rafdb(tmp_path, rows=MANY_ROWS)
    for kwargs in (dict(), dict(val_ratio=0), dict(val_ratio=0.5,
                                                   split_seed=7)):
        test = build(data_root=root, split='test', **kwargs)
        assert list_names(test) == TEST_NAMES
        assert test.get_gt_labels() == [0, 1, 2]


def test_holdout_checks_images_of_its_own_side_only(tmp_path):
    root = write_rafdb(tmp_path, rows=MANY_ROWS)
    val_names = list_names(build(data_root=root, split='val'))
    stem = osp.splitext(val_names[0])[0]
    (tmp_path / 'Image' / 'aligned' / f'{stem}_aligned.jpg').unlink()
    # a missing validation image neither stops nor shifts the training split
    assert len(build(data_root=root, split='train')) == 18
    with pytest.raises(AnnotationError, match=f'{stem}_aligned.jpg'):
        build(data_root=root, split='val')
    val = build(data_root=root, split='val', skip_invalid=True)
    assert list_names(val) == val_names[1:]


def test_bad_rows_raise_on_every_split(tmp_path):
    root = write_rafdb(tmp_path, rows=MANY_ROWS,
                       extra_lines=['train_00001.jpg 2'])
    for split in ('train', 'val', 'test'):
        with pytest.raises(AnnotationError, match='listed twice'):
            build(data_root=root, split=split)


def test_few_shot_draws_from_the_training_part(tmp_path):
    root = write_rafdb(tmp_path, rows=MANY_ROWS)
    few = DATASETS.build(
        dict(type='FewShotDataset', fraction=0.5, seed=0,
             dataset=dict(type='RAFDBBasic', data_root=root,
                          split='train', serialize_data=False)))
    val = set(list_names(build(data_root=root, split='val')))
    drawn = {osp.basename(few.get_data_info(i)['img_path']).replace(
        '_aligned', '') for i in range(len(few))}
    assert len(drawn) == 9 and not drawn & val
