"""AgeDB and UTKFaceAges read ages from the image file names."""
import logging
import os.path as osp
import re

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import AgeDB, AnnotationError, UTKFaceAges
from fbp_mm.datasets import annotations as annotations_module
from fbp_mm.datasets.splits import holdout_split

AGEDB_NAMES = ['0_MariaCallas_35_f.jpg', '1_MariaCallas_40_f.jpg',
               '2_Marlon_Brando_80_m.jpg', '3_AlPacino_1_M.jpg']
UTK_NAMES = ['100_0_0_20170112213500903.jpg.chip.jpg',
             '1_1_4_20161221193016140.jpg.chip.jpg',
             '26_0_2_20170104023102422.jpg.chip.jpg']


def write_images(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    img = np.zeros((4, 4, 3), np.uint8)
    for name in names:
        cv2.imencode('.jpg', img)[1].tofile(str(folder / name))
    return str(folder)


def write_agedb(root, people=12, per_person=3):
    """An AgeDB-style folder ``AgeDB/`` of ``people`` people; return the
    root as str."""
    names = [f'{p * per_person + k}_Person{p:02d}_{20 + p + k}_'
             f'{"mf"[p % 2]}.jpg' for p in range(people)
             for k in range(per_person)]
    write_images(root / 'AgeDB', names)
    return str(root)


def write_utkface(root, count=30):
    """A UTKFace-style folder ``UTKFace/``; return the root as str."""
    names = [f'{k + 1}_{k % 2}_{k % 5}_2017010{k % 10}12345678{k:02d}'
             '.jpg.chip.jpg' for k in range(count)]
    write_images(root / 'UTKFace', names)
    return str(root)


def build(kind, **kwargs):
    # serialize_data=False skips MMEngine's gc.collect() (~0.3 s a build)
    kwargs.setdefault('serialize_data', False)
    return DATASETS.build(dict(type=kind, **kwargs))


def names_of(ds):
    return [osp.basename(ds.get_data_info(i)['img_path'])
            for i in range(len(ds))]


def capture_warnings(monkeypatch):
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    return logged


# ------------------------------------------------------------- AgeDB
def test_agedb_ages_from_names(tmp_path):
    write_images(tmp_path / 'AgeDB', AGEDB_NAMES + ['readme.txt'])
    ds = build('AgeDB', data_root=str(tmp_path), data_prefix='AgeDB',
               split='all')
    assert isinstance(ds, AgeDB)
    assert names_of(ds) == AGEDB_NAMES  # sorted, non-images ignored
    first = ds.get_data_info(0)
    assert first['img_path'] == osp.join(str(tmp_path), 'AgeDB',
                                         AGEDB_NAMES[0])
    assert first['gt_score'].dtype == np.float32
    np.testing.assert_array_equal(first['gt_score'], [35.0])
    assert (first['identity'], first['gender']) == ('MariaCallas', 'f')
    brando = ds.get_data_info(2)
    assert (brando['identity'], brando['gender']) == ('Marlon_Brando', 'm')
    np.testing.assert_array_equal(ds.get_gt_scores(), [35, 40, 80, 1])
    assert ds.get_data_info(3)['gender'] == 'm'
    assert ds.metainfo['age_range'] == (1, 101)


def test_agedb_packs_a_float_score(tmp_path):
    write_images(tmp_path, AGEDB_NAMES)
    ds = build('AgeDB', data_root=str(tmp_path), split='all',
               serialize_data=True,
               pipeline=[dict(type='LoadImageFromFile'),
                         dict(type='PackInputs')])
    score = ds[0]['data_samples'].gt_score
    assert score.dtype.is_floating_point and score.tolist() == [35.0]


@pytest.mark.parametrize('name, message', [
    ('MariaCallas_35_f.jpg', 'is not <id>_<name>_<age>_<gender m|f>.jpg'),
    ('4_MariaCallas_35_x.jpg', 'is not <id>_<name>'),
    ('4_MariaCallas_old_f.jpg', 'is not <id>_<name>'),
    ('4_MariaCallas_135_f.jpg', r'age 135 of "4_MariaCallas_135_f\.jpg" is '
     r'outside the range \[1, 101\]'),
])
def test_agedb_bad_name_names_the_file(tmp_path, name, message):
    folder = write_images(tmp_path, AGEDB_NAMES + [name])
    with pytest.raises(AnnotationError) as info:
        build('AgeDB', data_root=folder, split='all')
    text = str(info.value)
    assert text.startswith(osp.join(folder, name) + ': ')
    assert re.search(message, text)


def test_agedb_list_of_names(tmp_path):
    write_images(tmp_path / 'AgeDB', AGEDB_NAMES)
    (tmp_path / 'part.txt').write_text(
        f'# one split\n{AGEDB_NAMES[2]}\n\n{AGEDB_NAMES[0]}\n')
    ds = build('AgeDB', data_root=str(tmp_path), data_prefix='AgeDB',
               ann_file='part.txt', split='all')
    assert names_of(ds) == [AGEDB_NAMES[2], AGEDB_NAMES[0]]  # list order
    assert ds.ann_files == [osp.join(str(tmp_path), 'part.txt')]


@pytest.mark.parametrize('line, message', [
    ('bad_name.jpg', 'file name "bad_name.jpg" is not'),
    ('0_MariaCallas_35_f.jpg 35', 'expected one image name per line, got 2'),
    ('2_Marlon_Brando_80_m.jpg', r'listed twice \(first on line 1\)'),
    ('9_Nobody_30_m.jpg', r'image .*9_Nobody_30_m\.jpg" does not exist'),
])
def test_agedb_bad_list_rows_name_file_and_line(tmp_path, line, message):
    write_images(tmp_path / 'AgeDB', AGEDB_NAMES)
    (tmp_path / 'part.txt').write_text(f'{AGEDB_NAMES[2]}\n{line}\n')
    with pytest.raises(AnnotationError,
                       match=r'part\.txt:2: .*' + message):
        build('AgeDB', data_root=str(tmp_path), data_prefix='AgeDB',
              ann_file='part.txt', split='all')


def test_agedb_skip_invalid_counts(tmp_path, monkeypatch):
    folder = write_images(tmp_path, AGEDB_NAMES + ['x.jpg', '5_A_200_f.jpg'])
    logged = capture_warnings(monkeypatch)
    ds = build('AgeDB', data_root=folder, split='all', skip_invalid=True)
    assert names_of(ds) == AGEDB_NAMES
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 2 invalid row(s)')
    assert osp.join(folder, '5_A_200_f.jpg') + ': age 200' in message


def test_agedb_splits_are_person_disjoint_and_seeded(tmp_path):
    root = write_agedb(tmp_path, people=20, per_person=3)
    kwargs = dict(data_root=root, data_prefix='AgeDB')
    parts = {s: build('AgeDB', split=s, **kwargs)
             for s in ('train', 'val', 'test')}
    people = {s: {ds.get_data_info(i)['identity'] for i in range(len(ds))}
              for s, ds in parts.items()}
    # 20% of 20 people for test, 10% of the other 16 (2) for val
    assert {s: len(p) for s, p in people.items()} == dict(train=14, val=2,
                                                          test=4)
    assert {s: len(ds) for s, ds in parts.items()} == dict(train=42, val=6,
                                                           test=12)
    assert not people['train'] & people['val']
    assert not people['train'] & people['test']
    assert not people['val'] & people['test']
    # the documented rule: holdout_split over the people, then the rest
    everyone = [f'Person{p:02d}' for p in range(20)]
    is_test = holdout_split(everyone, 0.2, 0)
    assert people['test'] == {p for p, t in zip(everyone, is_test) if t}
    rest = [p for p, t in zip(everyone, is_test) if not t]
    is_val = holdout_split(rest, 0.1, 0)
    assert people['val'] == {p for p, v in zip(rest, is_val) if v}
    # seeded
    again = build('AgeDB', split='test', **kwargs)
    assert names_of(again) == names_of(parts['test'])
    other = build('AgeDB', split='test', split_seed=1, **kwargs)
    assert set(names_of(other)) != set(names_of(parts['test']))
    # image-level hold-out on request
    by_image = build('AgeDB', split='test', by_identity=False, **kwargs)
    assert len(by_image) == 12
    assert len(build('AgeDB', split='all', **kwargs)) == 60


def test_split_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match='needs test_ratio > 0'):
        AgeDB(split='test', test_ratio=0)
    with pytest.raises(ValueError, match=r'test_ratio must be in \[0, 1\)'):
        UTKFaceAges(split='train', test_ratio=1)
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        UTKFaceAges(split='val', val_ratio=0)
    with pytest.raises(ValueError, match="'val', 'test' or 'all'"):
        AgeDB(split='eval')
    with pytest.raises(FileNotFoundError, match='Image folder'):
        build('AgeDB', data_root=str(tmp_path / 'none'), split='all')


# ----------------------------------------------------------- UTKFace
def test_utkface_ages_from_names(tmp_path):
    write_images(tmp_path / 'UTKFace', UTK_NAMES)
    ds = build('UTKFaceAges', data_root=str(tmp_path), split='all')
    assert isinstance(ds, UTKFaceAges)
    assert names_of(ds) == sorted(UTK_NAMES)
    np.testing.assert_array_equal(ds.get_gt_scores(), [100, 1, 26])
    first = ds.get_data_info(0)
    assert first['img_path'] == osp.join(str(tmp_path), 'UTKFace',
                                         UTK_NAMES[0])
    assert (first['gender'], first['race']) == (0, 0)
    assert (ds.get_data_info(1)['gender'], ds.get_data_info(1)['race']) == (
        1, 4)
    assert ds.metainfo['age_range'] == (0, 116)
    # the in-the-wild names without ".chip.jpg"
    write_images(tmp_path / 'part1', ['0_1_3_20170109150557335.jpg'])
    wild = build('UTKFaceAges', data_root=str(tmp_path),
                 data_prefix='part1', split='all')
    np.testing.assert_array_equal(wild.get_gt_scores(), [0])


@pytest.mark.parametrize('name', [
    '39_1_20170116174525125.jpg.chip.jpg',  # no race field
    '30_2_0_20170116174525125.jpg.chip.jpg',  # gender 2
    '30_0_5_20170116174525125.jpg.chip.jpg',  # race 5
    'x_0_0_20170116174525125.jpg',
])
def test_utkface_bad_name_names_the_file(tmp_path, name):
    folder = write_images(tmp_path, UTK_NAMES + [name])
    with pytest.raises(AnnotationError) as info:
        build('UTKFaceAges', data_root=folder, data_prefix='', split='all')
    assert str(info.value).startswith(
        f'{osp.join(folder, name)}: file name "{name}" is not '
        '<age>_<gender 0|1>_<race 0-4>_<datetime>.jpg')


def test_utkface_skip_invalid_and_age_range(tmp_path, monkeypatch):
    folder = write_images(
        tmp_path, UTK_NAMES + ['39_1_20170116174525125.jpg.chip.jpg',
                               '117_0_0_20170116174525125.jpg'])
    logged = capture_warnings(monkeypatch)
    ds = build('UTKFaceAges', data_root=folder, data_prefix='',
               split='all', skip_invalid=True)
    assert len(ds) == 3
    assert len(logged) == 1 and logged[0][0].startswith('Skipped 2 invalid')
    wide = build('UTKFaceAges', data_root=folder, data_prefix='',
                 split='all', skip_invalid=True, age_range=(0, 120))
    assert len(wide) == 4 and wide.metainfo['age_range'] == (0, 120)


def test_utkface_image_level_splits(tmp_path):
    root = write_utkface(tmp_path, count=30)
    parts = {s: set(names_of(build('UTKFaceAges', data_root=root, split=s)))
             for s in ('train', 'val', 'test')}
    assert {s: len(p) for s, p in parts.items()} == dict(train=22, val=2,
                                                         test=6)
    assert not parts['train'] & parts['val']
    assert not parts['train'] & parts['test']
    assert not parts['val'] & parts['test']
    assert len(parts['train'] | parts['val'] | parts['test']) == 30
    other = build('UTKFaceAges', data_root=root, split='test', split_seed=2)
    assert set(names_of(other)) != parts['test']


def test_utkface_path_age_lists_read_as_score_lists(tmp_path):
    """A ``path age`` list needs no new reader: ScoreListDataset's txt."""
    write_images(tmp_path / 'UTKFace', UTK_NAMES)
    (tmp_path / 'train.txt').write_text(
        f'{UTK_NAMES[0]} 100\n{UTK_NAMES[1]} 1\n')
    ds = build('ScoreListDataset', data_root=str(tmp_path),
               ann_file='train.txt', data_prefix='UTKFace',
               score_range=(0, 116))
    assert [ds.get_data_info(i)['gt_score'] for i in range(2)] == [[100.0],
                                                                   [1.0]]
