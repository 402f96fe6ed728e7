"""RAFDBBasic reads RAF-DB's official basic-emotion label list."""
import logging
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import AnnotationError, RAFDBBasic
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
    train = build(data_root=root, split='train')
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
    ds = build(data_root=root, split='train', serialize_data=True,
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
        build(data_root=root, split='train')


def test_missing_test_image_does_not_stop_train(tmp_path):
    root = write_rafdb(tmp_path)
    (tmp_path / 'Image' / 'aligned' / 'test_0001_aligned.jpg').unlink()
    assert len(build(data_root=root, split='train')) == 3
    with pytest.raises(AnnotationError, match=r'label\.txt:4: image'):
        build(data_root=root, split='test')


def test_skip_invalid_drops_rows_with_one_warning(tmp_path, monkeypatch):
    root = write_rafdb(tmp_path, extra_lines=['train_00004.jpg 9'])
    (tmp_path / 'Image' / 'aligned' / 'train_00002_aligned.jpg').unlink()
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    ds = build(data_root=root, split='train', skip_invalid=True)
    assert ds.get_gt_labels() == [4, 6]
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 2 invalid row(s)')
    assert 'list_patition_label.txt:2: image' in message


def test_split_is_checked():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        RAFDBBasic(data_root='', split='val')
