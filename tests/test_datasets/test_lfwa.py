import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS
from scipy.io import savemat
from test_matlab_files import cells, write_mat73

from fbp_mm.datasets import AnnotationError

ATTRS = ['5_o_Clock_Shadow', 'Male', 'Smiling', 'Young']
PEOPLE = ['Ann_A', 'Bob_B', 'Cid_C', 'Dee_D', 'Eve_E', 'Fay_F']


def lfwa_arrays():
    """Two images per person; person p's image k has attribute j present
    where p + k + j is even (1), else -1; rows of Ann..Cid train, the rest
    test (1-based, in a shuffled order)."""
    names, label = [], []
    for p, person in enumerate(PEOPLE):
        for k in (1, 2):
            names.append(f'{person}\\{person}_{k:04d}.jpg')
            label.append([1 if (p + k + j) % 2 == 0 else -1
                          for j in range(len(ATTRS))])
    return dict(AttrName=ATTRS, name=names, label=np.array(label, float),
                train=np.array([[3, 1, 2, 6, 4, 5]], float),
                test=np.array([[12, 7, 8, 9, 10, 11]], float))


def write_lfwa(root, version='v5', images=True, **changes):
    arrays = lfwa_arrays()
    arrays.update(changes)
    attr = dict(AttrName=arrays['AttrName'], name=arrays['name'],
                label=arrays['label'])
    split = dict(indices_img_train=arrays['train'],
                 indices_img_test=arrays['test'])
    if version == 'v5':
        savemat(str(root / 'lfw_att_40.mat'),
                dict(AttrName=cells(attr['AttrName']).T,
                     name=cells(attr['name']), label=attr['label']))
        savemat(str(root / 'indices_train_test.mat'), split)
    else:
        write_mat73(str(root / 'lfw_att_40.mat'), attr)
        write_mat73(str(root / 'indices_train_test.mat'), split)
    if images:
        for name in arrays['name']:
            path = root / 'lfw' / name.replace('\\', '/')
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), np.zeros((4, 4, 3), np.uint8))
    return root


def build(root, **kwargs):
    return DATASETS.build(dict(type='LFWA', data_root=str(root),
                               serialize_data=False, **kwargs))


def relpaths(ds, root):
    return [osp.relpath(ds.get_data_info(i)['img_path'], root / 'lfw')
            for i in range(len(ds))]


@pytest.mark.parametrize('version', ['v5', 'v7.3'])
def test_reads_the_release_and_its_split(tmp_path, version):
    root = write_lfwa(tmp_path, version)
    test = build(root, split='test')
    assert relpaths(test, root) == [
        'Fay_F/Fay_F_0002.jpg', 'Dee_D/Dee_D_0001.jpg', 'Dee_D/Dee_D_0002.jpg',
        'Eve_E/Eve_E_0001.jpg', 'Eve_E/Eve_E_0002.jpg', 'Fay_F/Fay_F_0001.jpg']
    assert test.metainfo['classes'] == tuple(ATTRS)
    info = test.get_data_info(1)  # Dee (p=3), image 1: 0 and 2 present
    assert info['gt_attributes'].tolist() == [1, 0, 1, 0]
    assert info['gt_label'] == [0, 2]
    assert info['gt_attributes'].dtype == np.int64
    train = build(root, split='train', val_ratio=0)
    assert relpaths(train, root)[:2] == ['Bob_B/Bob_B_0001.jpg',
                                         'Ann_A/Ann_A_0001.jpg']
    assert len(train) == 6 and len(build(root, split='all')) == 12
    chosen = build(root, split='test', attributes=['Smiling', 'Male'])
    assert chosen.metainfo['classes'] == ('Smiling', 'Male')
    assert chosen.get_data_info(1)['gt_attributes'].tolist() == [1, 0]


def test_validation_holds_out_people_of_the_training_part(tmp_path):
    root = write_lfwa(tmp_path)
    people = lambda ds: {p.split('/')[0]  # noqa: E731
                         for p in relpaths(ds, root)}
    seen = set()
    for seed in range(6):
        val = build(root, split='val', val_ratio=0.34, split_seed=seed)
        train = build(root, split='train', val_ratio=0.34, split_seed=seed)
        assert len(people(val)) == 1 and len(val) == 2
        assert people(val).isdisjoint(people(train))
        assert people(val) | people(train) == {'Ann_A', 'Bob_B', 'Cid_C'}
        seen |= people(val)
    assert len(seen) > 1  # the seed moves the hold-out


def test_bad_release_names_file_and_row(tmp_path):
    arrays = lfwa_arrays()
    attr = str(tmp_path / 'lfw_att_40.mat')
    split = str(tmp_path / 'indices_train_test.mat')
    label = arrays['label'].copy()
    label[7, 2] = 2
    write_lfwa(tmp_path, label=label)
    with pytest.raises(AnnotationError, match=rf'{attr}: row 8 '
                       r'\(Dee_D/Dee_D_0002.jpg\): '
                       'label value 2 is not 1, 0 or -1'):
        build(tmp_path, split='test')
    assert len(build(tmp_path, split='test', skip_invalid=True)) == 5
    build(tmp_path, split='train', val_ratio=0)  # only the split's rows
    write_lfwa(tmp_path, images=False, label=arrays['label'][:, :3])
    with pytest.raises(AnnotationError, match=r'label has shape \(12, 3\); '
                       r'with 12 images in name and 4 in AttrName it must '
                       r'be \(12, 4\)'):
        build(tmp_path)
    write_lfwa(tmp_path, images=False, test=np.array([[12, 3]], float))
    with pytest.raises(AnnotationError, match=rf'{split}: row\(s\) \[3\] are '
                       'in both indices_img_train and indices_img_test'):
        build(tmp_path)
    write_lfwa(tmp_path, images=False, test=np.array([[13]], float))
    with pytest.raises(AnnotationError, match='indices_img_test must hold '
                       r'1-based image rows in 1..12'):
        build(tmp_path, split='test')
    write_lfwa(tmp_path, images=False)
    (tmp_path / 'lfw' / 'Eve_E' / 'Eve_E_0001.jpg').unlink()
    with pytest.raises(AnnotationError, match=r'row 9 .*Eve_E_0001.jpg" '
                       'does not exist'):
        build(tmp_path, split='test')
    with pytest.raises(ValueError, match=r"Unknown attribute\(s\) "
                       r"\['Bald'\]"):
        build(tmp_path, split='train', attributes=['Bald'])
    savemat(split, dict(indices_img_train=arrays['train']))
    with pytest.raises(AnnotationError, match=rf'{split}: no '
                       'indices_img_test in the file'):
        build(tmp_path)
