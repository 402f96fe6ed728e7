import os
import os.path as osp
import random

import cv2
import numpy as np
import pytest

from fbp_mm.datasets import SCUTFBP5500
from fbp_mm.datasets.scut_fbp5500 import FOLDS_DIR, SPLIT_6040_DIR
from fbp_mm.generators import generate_demo_faces

PROTOCOLS = [('6040', 1)] + [('5fold', k) for k in range(1, 6)]


def write_text(path, text):
    with open(path, 'w') as f:
        f.write(text)


def make_scut_layout(root):
    names = [f'AF{i}.jpg' for i in range(1, 11)]
    os.makedirs(osp.join(root, 'Images'))
    for name in names:
        cv2.imwrite(osp.join(root, 'Images', name),
                    np.zeros((8, 8, 3), np.uint8))
    split = osp.join(root, SPLIT_6040_DIR)
    os.makedirs(split)
    scores = {n: 1 + 0.4 * i for i, n in enumerate(names)}

    def lines(ns):
        return ''.join(f'{n} {scores[n]:.6f}\n' for n in ns)

    write_text(osp.join(split, 'train.txt'), lines(names[:6]))
    write_text(osp.join(split, 'test.txt'), lines(names[6:]))
    for k in range(1, 6):
        fold = osp.join(root, FOLDS_DIR, f'cross_validation_{k}')
        os.makedirs(fold)
        test = names[2 * (k - 1):2 * k]
        write_text(osp.join(fold, f'test_{k}.txt'), lines(test))
        write_text(
            osp.join(fold, f'train_{k}.txt'),
            lines([n for n in names if n not in test]))
    return scores


def names_of(dataset):
    return [
        osp.basename(dataset.get_data_info(i)['img_path'])
        for i in range(len(dataset))
    ]


def official_list(root, protocol, fold, part):
    if protocol == '6040':
        path = osp.join(root, SPLIT_6040_DIR, f'{part}.txt')
    else:
        path = osp.join(root, FOLDS_DIR, f'cross_validation_{fold}',
                        f'{part}_{fold}.txt')
    with open(path) as f:
        return [line.split()[0] for line in f if line.strip()]


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('scut'))
    generate_demo_faces(root, 100, 0, size=16, seed=2)
    return root


def test_scut_fbp5500_protocols(tmp_path):
    scores = make_scut_layout(str(tmp_path))
    train = SCUTFBP5500(data_root=str(tmp_path), split='train', val_ratio=0)
    test = SCUTFBP5500(data_root=str(tmp_path), split='test')
    assert len(train) == 6 and len(test) == 4
    assert test.get_gt_scores()[0] == [pytest.approx(scores['AF7.jpg'])]
    assert test.get_data_info(0)['img_path'] == osp.join(
        str(tmp_path), 'Images', 'AF7.jpg')
    fold3 = SCUTFBP5500(
        data_root=str(tmp_path), protocol='5fold', fold=3, split='test')
    assert names_of(fold3) == ['AF5.jpg', 'AF6.jpg']
    # 8 training images: 1 (10%, rounded, at least 1) is held out for val.
    assert len(SCUTFBP5500(
        data_root=str(tmp_path), protocol='5fold', fold=3)) == 7
    assert len(SCUTFBP5500(
        data_root=str(tmp_path), protocol='5fold', fold=3,
        split='val')) == 1


def test_scut_fbp5500_bad_arguments(tmp_path):
    make_scut_layout(str(tmp_path))
    with pytest.raises(ValueError, match='fold must be 1..5'):
        SCUTFBP5500(data_root=str(tmp_path), protocol='5fold', fold=6)
    with pytest.raises(ValueError, match='protocol must be'):
        SCUTFBP5500(data_root=str(tmp_path), protocol='7030')
    with pytest.raises(ValueError,
                       match="split must be 'train', 'val' or 'test'"):
        SCUTFBP5500(data_root=str(tmp_path), split='dev')
    with pytest.raises(ValueError, match=r'val_ratio must be in \[0, 1\)'):
        SCUTFBP5500(data_root=str(tmp_path), split='val', val_ratio=1.0)
    with pytest.raises(ValueError, match="split='val' needs val_ratio > 0"):
        SCUTFBP5500(data_root=str(tmp_path), split='val', val_ratio=0)


@pytest.mark.parametrize('protocol, fold', PROTOCOLS)
def test_val_is_held_out_of_train_and_apart_from_test(demo_root, protocol,
                                                      fold):
    kwargs = dict(data_root=demo_root, protocol=protocol, fold=fold)
    train = names_of(SCUTFBP5500(split='train', **kwargs))
    val = names_of(SCUTFBP5500(split='val', **kwargs))
    test = names_of(SCUTFBP5500(split='test', **kwargs))
    official = official_list(demo_root, protocol, fold, 'train')
    assert len(val) == round(0.1 * len(official)) > 0
    assert not set(val) & set(test)
    assert not set(val) & set(train)
    assert not set(train) & set(test)
    assert sorted(train + val) == sorted(official)
    assert test == official_list(demo_root, protocol, fold, 'test')
    # Both parts keep the order of the official list.
    assert train == [n for n in official if n not in set(val)]
    # Same seed, same split; another seed or ratio, another split.
    assert names_of(SCUTFBP5500(split='val', **kwargs)) == val
    other = names_of(SCUTFBP5500(split='val', split_seed=1, **kwargs))
    assert other != val and len(other) == len(val)
    bigger = names_of(SCUTFBP5500(split='val', val_ratio=0.3, **kwargs))
    assert len(bigger) == round(0.3 * len(official))


def test_split_does_not_depend_on_line_order(demo_root, tmp_path):
    # The same list with shuffled lines holds out the same images.
    root = str(tmp_path)
    os.symlink(osp.join(demo_root, 'Images'), osp.join(root, 'Images'))
    os.makedirs(osp.join(root, SPLIT_6040_DIR))
    with open(osp.join(demo_root, SPLIT_6040_DIR, 'train.txt')) as f:
        lines = f.readlines()
    random.Random(0).shuffle(lines)
    write_text(osp.join(root, SPLIT_6040_DIR, 'train.txt'), ''.join(lines))
    shuffled = SCUTFBP5500(data_root=root, split='val')
    original = SCUTFBP5500(data_root=demo_root, split='val')
    assert sorted(names_of(shuffled)) == sorted(names_of(original))
