"""LFWAttributes reads Kumar et al.'s lfw_attributes.txt."""
import logging
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import AnnotationError, LFWAttributes
from fbp_mm.datasets import annotations as annotations_module
from fbp_mm.datasets.splits import holdout_split

NAMES = ('Male', 'Asian', 'Middle Aged', "5 o' Clock Shadow")
# person, image number, scores
ROWS = [
    ('Aaron Eckhart', 1, [1.56835, -1.88904, 0.0, 0.25]),
    ('Aaron Peirsol', 2, [-0.5, 0.75, 2.0, -3.0]),
    ('Aaron Peirsol', 4, [0.1, -0.1, -2.0, 1e-3]),
]


def row_line(person, number, scores):
    return '\t'.join([person, str(number)] + [f'{v:g}' for v in scores])


def write_lfw(root, names=NAMES, rows=ROWS, extra_lines=(), header=None,
              images=True):
    """Write ``lfw_attributes.txt`` (a comment, the header, tab-separated
    rows) and tiny images under ``lfw/``; return the root as str."""
    header = header if header is not None else \
        '#\t' + '\t'.join(('person', 'imagenum') + tuple(names))
    lines = ['# 2013-02-11 LFW attributes, for tests', header]
    lines += [row_line(*r) for r in rows] + list(extra_lines)
    root.mkdir(parents=True, exist_ok=True)
    (root / 'lfw_attributes.txt').write_text('\n'.join(lines) + '\n')
    if images:
        img = np.zeros((4, 4, 3), np.uint8)
        for person, number, _ in rows:
            folder = root / 'lfw' / person.replace(' ', '_')
            folder.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(
                str(folder / f'{person.replace(" ", "_")}_{number:04d}.jpg'),
                img)
    return str(root)


def write_lfw_many(root, people=20, per_person=2, names=NAMES):
    rows = [(f'Person {p:02d}', k + 1,
             [(-1.0) ** (p + k + j) for j in range(len(names))])
            for p in range(people) for k in range(per_person)]
    return write_lfw(root, names=names, rows=rows)


def build(**kwargs):
    # serialize_data=False skips MMEngine's gc.collect() (~0.3 s a build)
    kwargs.setdefault('serialize_data', False)
    return DATASETS.build(dict(type='LFWAttributes', **kwargs))


def people_of(ds):
    return {osp.basename(osp.dirname(ds.get_data_info(i)['img_path']))
            for i in range(len(ds))}


def test_reads_names_scores_and_paths(tmp_path):
    root = write_lfw(tmp_path)
    ds = build(data_root=root, split='all')
    assert isinstance(ds, LFWAttributes)
    assert ds.metainfo['classes'] == NAMES
    assert [ds.get_data_info(i)['img_path'] for i in range(3)] == [
        osp.join(root, 'lfw', 'Aaron_Eckhart', 'Aaron_Eckhart_0001.jpg'),
        osp.join(root, 'lfw', 'Aaron_Peirsol', 'Aaron_Peirsol_0002.jpg'),
        osp.join(root, 'lfw', 'Aaron_Peirsol', 'Aaron_Peirsol_0004.jpg'),
    ]
    # binarised at 0: > 0 present, 0 and below absent
    assert [ds.get_data_info(i)['gt_label'] for i in range(3)] == [
        [0, 3], [1, 2], [0, 3]
    ]
    attrs = ds.get_gt_attributes()
    assert attrs.dtype == np.int64
    np.testing.assert_array_equal(attrs, [[1, 0, 0, 1], [0, 1, 1, 0],
                                          [1, 0, 0, 1]])
    scores = ds.get_data_info(0)['attribute_scores']
    assert scores.dtype == np.float32
    np.testing.assert_allclose(scores, ROWS[0][2], rtol=1e-6)


def test_attribute_subset_and_packing(tmp_path):
    from mmpretrain.structures import label_to_onehot
    root = write_lfw(tmp_path)
    ds = build(data_root=root, split='all',
               attributes=['Middle Aged', 'Male'])
    assert ds.metainfo['classes'] == ('Middle Aged', 'Male')
    np.testing.assert_array_equal(ds.get_gt_attributes(),
                                  [[0, 1], [1, 0], [0, 1]])
    with pytest.raises(ValueError, match=r"Unknown attribute\(s\) "
                       r"\['Smiling'\]"):
        build(data_root=root, split='all', attributes=['Smiling'])
    packed = build(data_root=root, split='all', serialize_data=True,
                   pipeline=[dict(type='LoadImageFromFile'),
                             dict(type='PackInputs')])
    label = packed[1]['data_samples'].gt_label
    np.testing.assert_array_equal(label_to_onehot(label, 4).numpy(),
                                  [0, 1, 1, 0])


def test_header_with_spaces_after_hash(tmp_path):
    root = write_lfw(tmp_path, header='# person\timagenum\t' +
                     '\t'.join(NAMES) + '\t')
    assert build(data_root=root, split='all').metainfo['classes'] == NAMES


@pytest.mark.parametrize('line, message', [
    (row_line('Aaron Eckhart', 2, [1, 2, 3]), 'expected a name, an image '
     'number and 4 scores separated by tabs, got 5 fields'),
    ('Aaron Eckhart 2 1 1 1 1', 'got 1 fields'),
    (row_line('Aaron Eckhart', 0, [1, 2, 3, 4]), "image number '0' is not a "
     'positive integer'),
    ('Aaron Eckhart\tone\t1\t2\t3\t4', "image number 'one'"),
    ('Aaron Eckhart\t2\t1\tx\t3\t4', "score 'x' is not a number"),
    ('Aaron Eckhart\t2\t1\tinf\t3\t4', 'a score is not finite'),
    (row_line('Aaron Peirsol', 2, [1, 2, 3, 4]), r'image 2 of "Aaron '
     r'Peirsol" is listed twice \(first on line 4\)'),
    (row_line('Nobody Known', 1, [1, 2, 3, 4]), r'image .*Nobody_Known/'
     r'Nobody_Known_0001\.jpg" does not exist'),
])
def test_bad_rows_name_file_and_line(tmp_path, line, message):
    root = write_lfw(tmp_path, extra_lines=[line])
    with pytest.raises(AnnotationError,
                       match=r'lfw_attributes\.txt:6: .*' + message):
        build(data_root=root, split='all')


def test_bad_or_missing_header(tmp_path):
    root = write_lfw(tmp_path, header='# no header here')
    with pytest.raises(AnnotationError,
                       match=r'lfw_attributes\.txt:3: a row before the '
                       'header line'):
        build(data_root=root, split='all')
    root = write_lfw(tmp_path, header='#\tperson\timagenum\tMale\tMale')
    with pytest.raises(AnnotationError,
                       match=r"lfw_attributes\.txt:2: attribute name\(s\) "
                       r"\['Male'\] appear twice"):
        build(data_root=root, split='all')
    (tmp_path / 'lfw_attributes.txt').write_text('# only comments\n')
    with pytest.raises(AnnotationError,
                       match=r'lfw_attributes\.txt:1: no header line'):
        build(data_root=root, split='all')
    with pytest.raises(FileNotFoundError, match='Attribute file'):
        build(data_root=str(tmp_path / 'none'), split='all')


def test_skip_invalid_drops_rows_with_one_warning(tmp_path, monkeypatch):
    root = write_lfw(tmp_path, extra_lines=['Aaron Eckhart\t2\t1'])
    (tmp_path / 'lfw' / 'Aaron_Peirsol' / 'Aaron_Peirsol_0002.jpg').unlink()
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    ds = build(data_root=root, split='all', skip_invalid=True)
    assert len(ds) == 2
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 2 invalid row(s)')
    assert 'lfw_attributes.txt:6: expected a name' in message


def test_splits_are_person_disjoint_and_seeded(tmp_path):
    root = write_lfw_many(tmp_path, people=20, per_person=2)
    parts = {s: build(data_root=root, split=s)
             for s in ('train', 'val', 'test')}
    people = {s: people_of(ds) for s, ds in parts.items()}
    # half of 20 people for test, 10% of the other 10 (1) for val
    assert {s: len(p) for s, p in people.items()} == dict(train=9, val=1,
                                                          test=10)
    assert {s: len(ds) for s, ds in parts.items()} == dict(train=18, val=2,
                                                           test=20)
    assert not people['train'] & people['val']
    assert not people['train'] & people['test']
    assert not people['val'] & people['test']
    everyone = [f'Person {p:02d}' for p in range(20)]
    is_test = holdout_split(everyone, 0.5, 0)
    assert people['test'] == {p.replace(' ', '_')
                              for p, t in zip(everyone, is_test) if t}
    again = build(data_root=root, split='test')
    assert people_of(again) == people['test']
    assert people_of(build(data_root=root, split='test',
                           split_seed=1)) != people['test']
    with pytest.raises(ValueError, match='needs test_ratio > 0'):
        build(data_root=root, split='test', test_ratio=0)
