"""AUOccurrenceList reads per-frame AU occurrence lists (BP4D, DISFA)."""
import logging
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import (BP4D_AUS, DISFA_AUS, AnnotationError,
                             AUOccurrenceList, holdout_split)
from fbp_mm.datasets import annotations as annotations_module

AUS = ('AU1', 'AU2', 'AU4', 'AU6')
# Frames: path, values as written (1 present, 0 / -1 absent).
ROWS = [
    ('F001/T1/0001.jpg', ['0', '1', '0', '0']),
    ('F001/T1/0002.jpg', ['1', '1', '-1', '1']),
    ('F002/T1/0001.jpg', ['0', '0', '0', '0']),
    ('M001/T2/0010.jpg', ['-1', '0', '1', '1']),
]


def write_au_list(root, name='list.txt', aus=AUS, rows=ROWS, sep=' ',
                  extra_lines=(), images=True, prefix='images',
                  header=None):
    """Write an AU list (header, then one row per frame) and tiny images;
    return the list's path relative to ``root``."""
    lines = [header if header is not None else sep.join(('image', ) + aus)]
    lines += [sep.join([path] + list(values)) for path, values in rows]
    lines += list(extra_lines)
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('\n'.join(lines) + '\n')
    if images:
        img = np.zeros((4, 4, 3), np.uint8)
        for frame, _ in rows:
            target = root / prefix / frame
            target.parent.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(target), img)
    return name


def write_au_folds(root, aus=BP4D_AUS, subjects_per_fold=3, frames=3):
    """Three subject-exclusive fold lists ``lists/fold{1,2,3}.txt`` of a
    BP4D / DISFA-style tree (images under ``images/<subject>/<task>/``);
    return the root as str."""
    for fold in range(1, 4):
        rows = []
        for s in range(subjects_per_fold):
            subject = f'S{fold}{s:02d}'
            for k in range(frames):
                values = [str((k + j + s) % 2) for j in range(len(aus))]
                rows.append((f'{subject}/T1/{k:04d}.jpg', values))
        write_au_list(root, f'lists/fold{fold}.txt', aus=aus, rows=rows)
    return str(root)


def build(**kwargs):
    # serialize_data=False skips MMEngine's gc.collect() (~0.3 s a build);
    # the PackInputs test keeps the default.
    kwargs.setdefault('serialize_data', False)
    kwargs.setdefault('data_prefix', 'images')
    return DATASETS.build(dict(type='AUOccurrenceList', **kwargs))


def paths_of(ds):
    return [
        osp.relpath(ds.get_data_info(i)['img_path'],
                    osp.join(ds.data_root, 'images'))
        for i in range(len(ds))
    ]


def capture_warnings(monkeypatch):
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    return logged


def test_protocol_au_sets():
    assert BP4D_AUS == ('AU1', 'AU2', 'AU4', 'AU6', 'AU7', 'AU10', 'AU12',
                        'AU14', 'AU15', 'AU17', 'AU23', 'AU24')
    assert DISFA_AUS == ('AU1', 'AU2', 'AU4', 'AU6', 'AU9', 'AU12', 'AU25',
                         'AU26')


@pytest.mark.parametrize('sep', [' ', '\t', ',', ', '])
def test_reads_values_with_either_separator(tmp_path, sep):
    ann = write_au_list(tmp_path, sep=sep)
    ds = build(data_root=str(tmp_path), ann_file=ann, split='test')
    assert isinstance(ds, AUOccurrenceList)
    assert ds.metainfo['classes'] == AUS
    assert paths_of(ds) == [row[0] for row in ROWS]
    assert ds.get_data_info(0)['img_path'] == osp.join(
        str(tmp_path), 'images', 'F001', 'T1', '0001.jpg')
    assert [ds.get_data_info(i)['gt_label'] for i in range(4)] == [
        [1], [0, 1, 3], [], [2, 3]
    ]
    aus = ds.get_gt_aus()
    assert aus.dtype == np.int64
    np.testing.assert_array_equal(
        aus, [[0, 1, 0, 0], [1, 1, 0, 1], [0, 0, 0, 0], [0, 0, 1, 1]])


def test_blank_lines_and_comments_are_skipped(tmp_path):
    (tmp_path / 'list.txt').write_text(
        '# written by a converter\n\nimage AU1 AU12\n# subject F001\n'
        'a.jpg 1 0\n\nb.jpg 0 1\n')
    img = np.zeros((4, 4, 3), np.uint8)
    for name in ('a.jpg', 'b.jpg'):
        cv2.imwrite(str(tmp_path / name), img)
    ds = build(data_root=str(tmp_path), ann_file='list.txt', data_prefix='',
               split='test')
    assert ds.metainfo['classes'] == ('AU1', 'AU12')
    assert [ds.get_data_info(i)['gt_label'] for i in range(2)] == [[0], [1]]


def test_packs_multi_label_indices(tmp_path):
    from mmpretrain.structures import label_to_onehot
    ann = write_au_list(tmp_path)
    ds = build(data_root=str(tmp_path), ann_file=ann, split='test',
               serialize_data=True,
               pipeline=[dict(type='LoadImageFromFile'),
                         dict(type='PackInputs')])
    sample = ds[1]['data_samples']
    assert sample.gt_label.tolist() == [0, 1, 3]
    np.testing.assert_array_equal(
        label_to_onehot(sample.gt_label, 4).numpy(), [1, 1, 0, 1])


def test_au_subset_by_name_in_given_order(tmp_path):
    ann = write_au_list(tmp_path)
    ds = build(data_root=str(tmp_path), ann_file=ann, split='test',
               aus=['AU6', 'AU1'])
    assert ds.metainfo['classes'] == ('AU6', 'AU1')
    np.testing.assert_array_equal(ds.get_gt_aus(),
                                  [[0, 0], [1, 1], [0, 0], [1, 0]])
    assert ds.get_data_info(1)['gt_label'] == [0, 1]
    with pytest.raises(AnnotationError,
                       match=r"list\.txt:1: no column for AU\(s\) "
                       r"\['AU9'\]; the header has \['AU1', 'AU2'"):
        build(data_root=str(tmp_path), ann_file=ann, split='test',
              aus=['AU1', 'AU9'])
    with pytest.raises(ValueError, match='twice'):
        build(data_root=str(tmp_path), ann_file=ann, aus=['AU1', 'AU1'])


def test_several_lists_match_columns_by_name(tmp_path):
    first = write_au_list(tmp_path, 'fold1.txt', rows=ROWS[:2])
    reordered = [(p, v[::-1]) for p, v in ROWS[2:]]
    second = write_au_list(tmp_path, 'fold2.txt', aus=AUS[::-1],
                           rows=reordered, sep=',')
    ds = build(data_root=str(tmp_path), ann_file=[first, second],
               split='test')
    assert ds.ann_files == [osp.join(str(tmp_path), 'fold1.txt'),
                            osp.join(str(tmp_path), 'fold2.txt')]
    assert ds.metainfo['classes'] == AUS
    np.testing.assert_array_equal(
        ds.get_gt_aus(),
        [[0, 1, 0, 0], [1, 1, 0, 1], [0, 0, 0, 0], [0, 0, 1, 1]])
    # a later list lacking a column of the first
    third = write_au_list(tmp_path, 'fold3.txt', aus=AUS[:3],
                          rows=[('x.jpg', ['0', '0', '1'])])
    with pytest.raises(AnnotationError,
                       match=r"fold3\.txt:1: no column for AU\(s\) "
                       r"\['AU6'\]"):
        build(data_root=str(tmp_path), ann_file=[first, third],
              split='test')


def test_frame_listed_in_two_lists(tmp_path):
    first = write_au_list(tmp_path, 'fold1.txt', rows=ROWS[:2])
    second = write_au_list(tmp_path, 'fold2.txt', rows=ROWS[1:3])
    with pytest.raises(AnnotationError,
                       match=r'fold2\.txt:2: "F001/T1/0002\.jpg" is listed '
                       r'twice \(first on .*fold1\.txt:3\)'):
        build(data_root=str(tmp_path), ann_file=[first, second],
              split='test')


def test_unknown_value_is_bad_unless_read_as_absent(tmp_path):
    ann = write_au_list(tmp_path,
                        extra_lines=['F002/T1/0002.jpg 1 0 9 0'])
    cv2.imwrite(str(tmp_path / 'images' / 'F002' / 'T1' / '0002.jpg'),
                np.zeros((4, 4, 3), np.uint8))
    with pytest.raises(AnnotationError,
                       match=r'list\.txt:6: AU4 is 9 \(unknown / not '
                       r'labeled\); set unknown_as=0'):
        build(data_root=str(tmp_path), ann_file=ann, split='test')
    ds = build(data_root=str(tmp_path), ann_file=ann, split='test',
               unknown_as=0)
    np.testing.assert_array_equal(ds.get_data_info(4)['gt_aus'],
                                  [1, 0, 0, 0])
    # only the columns read are checked
    assert len(build(data_root=str(tmp_path), ann_file=ann, split='test',
                     aus=['AU1', 'AU2'])) == 5
    with pytest.raises(ValueError, match='unknown_as must be None'):
        build(data_root=str(tmp_path), ann_file=ann, unknown_as=1)


@pytest.mark.parametrize('line, message', [
    ('F009/T1/0001.jpg 1 0 2 0', "AU4 value '2' is not 1, 0, -1 or 9"),
    ('F009/T1/0001.jpg 1 0 0.5 0', "AU4 value '0.5' is not"),
    ('F009/T1/0001.jpg 1 0 0', 'expected an image and 4 values .*got 4 '
     'fields'),
    ('F009/T1/0001.jpg 1 0 0 0 1', 'expected .*got 6 fields'),
    ('F001/T1/0001.jpg 1 0 0 0', r'listed twice \(first on line 2\)'),
    ('F009/T1/0001.jpg 1 0 0 0', r'image .*F009/T1/0001\.jpg" does not '
     'exist'),
])
def test_bad_rows_name_file_and_line(tmp_path, line, message):
    ann = write_au_list(tmp_path, extra_lines=[line])
    with pytest.raises(AnnotationError,
                       match=r'list\.txt:6: .*' + message):
        build(data_root=str(tmp_path), ann_file=ann, split='test')


@pytest.mark.parametrize('header, message', [
    ('F000/T1/0001.jpg 0 1 0 0', r"list\.txt:1: the list has no header: "
     r"'0' is a value"),
    ('image', r'list\.txt:1: expected a header "image AU1 AU2 \.\.\."'),
    ('image AU1 AU2 AU1 AU6', r"list\.txt:1: AU name\(s\) \['AU1'\] appear "
     'twice'),
])
def test_bad_header(tmp_path, header, message):
    ann = write_au_list(tmp_path, header=header)
    with pytest.raises(AnnotationError, match=message):
        build(data_root=str(tmp_path), ann_file=ann, split='test')


def test_missing_or_empty_list(tmp_path):
    with pytest.raises(FileNotFoundError, match=r'AU list .*nope\.txt'):
        build(data_root=str(tmp_path), ann_file='nope.txt', split='test')
    (tmp_path / 'empty.txt').write_text('# nothing\n')
    with pytest.raises(AnnotationError, match=r'empty\.txt:1: no header'):
        build(data_root=str(tmp_path), ann_file='empty.txt', split='test')


def test_skip_invalid_drops_rows_with_one_warning(tmp_path, monkeypatch):
    ann = write_au_list(
        tmp_path, extra_lines=['F009/T1/0001.jpg 1 0', 'x.jpg 1 0 7 1'])
    (tmp_path / 'images' / 'F002' / 'T1' / '0001.jpg').unlink()
    logged = capture_warnings(monkeypatch)
    ds = build(data_root=str(tmp_path), ann_file=ann, split='test',
               skip_invalid=True)
    assert paths_of(ds) == [ROWS[0][0], ROWS[1][0], ROWS[3][0]]
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 3 invalid row(s)')
    assert 'list.txt:6: expected an image and 4 values' in message


# -------------------------------------------------- validation hold-out
def test_val_holds_out_whole_subjects_seeded(tmp_path):
    root = write_au_folds(tmp_path, subjects_per_fold=10, frames=3)
    folds = ['lists/fold1.txt', 'lists/fold2.txt']
    train = build(data_root=root, ann_file=folds, split='train')
    val = build(data_root=root, ann_file=folds, split='val')
    assert (train.val_ratio, train.split_seed, train.group_depth) == (0.1,
                                                                      0, 1)
    subjects = lambda ds: {p.split('/')[0] for p in paths_of(ds)}  # noqa
    assert len(subjects(val)) == 2 and len(subjects(train)) == 18
    assert not subjects(train) & subjects(val)
    assert len(val) == 6 and len(train) == 54
    assert not set(paths_of(train)) & set(paths_of(val))
    # the documented rule: holdout_split over the subject folders
    all_subjects = [f'S{f}{s:02d}' for f in (1, 2) for s in range(10)]
    mask = holdout_split(all_subjects, 0.1, 0)
    assert subjects(val) == {s for s, v in zip(all_subjects, mask) if v}
    # deterministic, seeded
    assert paths_of(build(data_root=root, ann_file=folds,
                          split='val')) == paths_of(val)
    other = build(data_root=root, ann_file=folds, split='val', split_seed=3)
    assert subjects(other) != subjects(val)
    # the test fold is read in full, untouched by the hold-out
    test = build(data_root=root, ann_file='lists/fold3.txt', split='test')
    assert len(test) == 30
    # val_ratio=0 trains on both folds
    assert len(build(data_root=root, ann_file=folds, split='train',
                     val_ratio=0)) == 60


def test_group_depth_zero_draws_single_frames(tmp_path):
    root = write_au_folds(tmp_path, subjects_per_fold=2, frames=10)
    val = build(data_root=root, ann_file='lists/fold1.txt', split='val',
                group_depth=0)
    train = build(data_root=root, ann_file='lists/fold1.txt', split='train',
                  group_depth=0)
    assert len(val) == 2 and len(train) == 18
    assert not set(paths_of(train)) & set(paths_of(val))
    group = AUOccurrenceList.group_of
    ds = build(data_root=root, ann_file='lists/fold1.txt', split='test',
               group_depth=2)
    assert group(ds, 'F001/T1/0001.jpg') == 'F001/T1'
    assert group(ds, 'flat.jpg') == 'flat.jpg'


def test_split_and_group_depth_are_checked(tmp_path):
    with pytest.raises(ValueError, match="'train', 'val' or 'test'"):
        AUOccurrenceList(ann_file='x.txt', split='all')
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        AUOccurrenceList(ann_file='x.txt', split='val', val_ratio=0)
    with pytest.raises(ValueError, match='group_depth'):
        AUOccurrenceList(ann_file='x.txt', group_depth=-1)


def test_few_shot_draws_from_the_training_part(tmp_path):
    root = write_au_folds(tmp_path, subjects_per_fold=10, frames=2)
    ds = dict(type='AUOccurrenceList', data_root=root,
              ann_file='lists/fold1.txt', data_prefix='images',
              serialize_data=False)
    few = DATASETS.build(dict(type='FewShotDataset', fraction=0.5, seed=0,
                              dataset=dict(ds, split='train')))
    val = set(paths_of(build(data_root=root, ann_file='lists/fold1.txt',
                             split='val')))
    drawn = {osp.relpath(few.get_data_info(i)['img_path'],
                         osp.join(root, 'images')) for i in range(len(few))}
    assert len(drawn) == 9 and not drawn & val
