import os.path as osp

import cv2
import pytest
from mmpretrain.registry import DATASETS
from test_face_landmarks import IMG, points_68, pts_text

from fbp_mm.datasets.landmark_lists import FACE300W_SIZES, write_300w_lists

FOLDERS = {'afw': 2, 'helen/trainset': 2, 'lfpw/trainset': 1,
           'helen/testset': 1, 'lfpw/testset': 2, 'ibug': 1}


def write_300w_folders(root, folders=FOLDERS):
    for k, (folder, count) in enumerate(folders.items()):
        ext = '.png' if folder.startswith('lfpw') else '.jpg'
        for i in range(count):
            path = root / folder / f'img_{i}{ext}'
            path.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(path), IMG)
            path.with_suffix('.pts').write_text(pts_text(points_68(k + i)))
    return root


def test_lists_of_the_protocol_read_by_face300w(tmp_path):
    root = write_300w_folders(tmp_path)
    cv2.imwrite(str(root / 'afw' / 'no_points.jpg'), IMG)  # left out
    (root / 'afw' / 'notes.txt').write_text('x')
    report = write_300w_lists(str(root))
    assert set(report) == {'train', 'common', 'challenging', 'full'}
    assert {k: v['images'] for k, v in report.items()} == dict(
        train=5, common=3, challenging=1, full=4)
    assert report['train']['skipped'] == 1
    assert report['full']['expected'] == FACE300W_SIZES['full'] == 689
    assert (root / 'full.txt').read_text().splitlines() == [
        'helen/testset/img_0.jpg', 'lfpw/testset/img_0.png',
        'lfpw/testset/img_1.png', 'ibug/img_0.jpg']
    train = DATASETS.build(dict(type='Face300W', data_root=str(root),
                                ann_file='train.txt', split='train',
                                serialize_data=False))
    val = DATASETS.build(dict(type='Face300W', data_root=str(root),
                              ann_file='train.txt', split='val',
                              serialize_data=False))
    assert len(train) + len(val) == 5
    # nothing left of the writes but the lists (no temporary files)
    assert sorted(p.name for p in root.iterdir() if p.is_file()) == [
        'challenging.txt', 'common.txt', 'full.txt', 'train.txt']
    # the 300-W test folders add private.txt
    write_300w_folders(root, {'300W/01_Indoor': 1, '300W/02_Outdoor': 1})
    assert write_300w_lists(str(root))['private']['images'] == 2


def test_missing_folders_are_named(tmp_path):
    write_300w_folders(tmp_path, {'afw': 1, 'ibug': 1})
    with pytest.raises(FileNotFoundError, match=r'has no helen/testset, '
                       'helen/trainset, lfpw/testset, lfpw/trainset'):
        write_300w_lists(str(tmp_path))
    assert not osp.exists(tmp_path / 'train.txt')
