import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import BP4D_AUS, DISFA_AUS, AnnotationError
from fbp_mm.datasets.au_label_conversion import (PUBLISHED_FOLDS,
                                                 convert_au_labels,
                                                 read_bp4d_occurrence,
                                                 read_disfa_intensities,
                                                 read_fold_file,
                                                 seeded_subject_folds)

# BP4D's occurrence CSVs number every AU column, coded or not.
BP4D_COLUMNS = [1, 2, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
                20, 22, 23, 24, 27, 28]
SUBJECTS = ('F001', 'F002', 'M001', 'M002', 'M003', 'F003')


def bp4d_value(subject, task, frame, au):
    k = sum(map(ord, subject)) + int(task[1:]) + frame + au
    return '9' if (frame == 3 and au == 23) else str(k % 2)


def write_bp4d(root, subjects=SUBJECTS, tasks=('T1', 'T2'), frames=(1, 2, 3)):
    occ = root / 'AUCoding' / 'AU_OCC'
    occ.mkdir(parents=True)
    for subject in subjects:
        for task in tasks:
            lines = [','.join(['0'] + [str(a) for a in BP4D_COLUMNS])]
            lines += [','.join([str(f)] + [bp4d_value(subject, task, f, a)
                                           for a in BP4D_COLUMNS])
                      for f in frames]
            (occ / f'{subject}_{task}.csv').write_text('\n'.join(lines))
    return occ


def write_images(root, paths):
    img = np.zeros((4, 4, 3), np.uint8)
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(target), img)


def test_bp4d_folds_read_back_as_the_official_values(tmp_path):
    occ = write_bp4d(tmp_path)
    images = tmp_path / 'images'
    frames = [f'{s}/{t}/{f:04d}.jpg' for s in SUBJECTS for t in ('T1', 'T2')
              for f in (1, 2, 3)]
    missing = 'M002/T2/0002.jpg'
    write_images(images, [p for p in frames if p != missing])
    folds = [['F001', 'M001'], ['F002', 'M002'], ['M003', 'F003']]
    report = convert_au_labels('bp4d', str(occ), str(tmp_path / 'lists'),
                               folds=folds, image_root=str(images),
                               unknown='keep')
    assert [r['frames'] for r in report] == [12, 11, 12]
    assert [r['missing_images'] for r in report] == [0, 1, 0]
    assert [r['unknown_frames'] for r in report] == [4, 4, 4]
    assert report[1]['subjects'] == ['F002', 'M002']
    assert report[0]['file'] == str(tmp_path / 'lists' / 'fold1.txt')

    test = DATASETS.build(dict(
        type='AUOccurrenceList', data_root=str(tmp_path),
        ann_file='lists/fold2.txt', data_prefix='images', split='test',
        aus=BP4D_AUS, unknown_as=0, serialize_data=False))
    assert len(test) == 11
    numbers = [int(a[2:]) for a in BP4D_AUS]
    for i in range(len(test)):
        info = test.get_data_info(i)
        subject, task, name = osp.relpath(info['img_path'],
                                          images).split(osp.sep)
        assert subject in ('F002', 'M002')
        frame = int(name[:4])
        want = [int(bp4d_value(subject, task, frame, a) == '1')
                for a in numbers]
        assert info['gt_aus'].tolist() == want
    # the not-coded 9 stays 9: a bad value unless unknown_as=0
    with pytest.raises(AnnotationError, match=r'fold1.txt:4: AU23 is 9 '):
        DATASETS.build(dict(
            type='AUOccurrenceList', data_root=str(tmp_path),
            ann_file='lists/fold1.txt', data_prefix='images', split='test',
            serialize_data=False))
    # fold2 has M002's frames but the one without an image
    text = (tmp_path / 'lists' / 'fold2.txt').read_text()
    assert text.startswith('image ' + ' '.join(BP4D_AUS) + '\n')
    assert missing not in text and 'M002/T2/0003.jpg' in text

    # by default frames with a 9 are left out (frame 3: AU23 not coded)
    dropped = convert_au_labels('bp4d', str(occ), str(tmp_path / 'drop'),
                                folds=folds, image_root=str(images))
    assert [r['frames'] for r in dropped] == [8, 7, 8]
    assert [r['unknown_frames'] for r in dropped] == [4, 4, 4]
    text = (tmp_path / 'drop' / 'fold2.txt').read_text()
    assert 'M002/T2/0003.jpg' not in text and ' 9' not in text
    absent = convert_au_labels('bp4d', str(occ), str(tmp_path / 'absent'),
                               folds=folds, unknown='absent')
    assert [r['frames'] for r in absent] == [12, 12, 12]
    row = next(line.split() for line in
               (tmp_path / 'absent' / 'fold1.txt').read_text().splitlines()
               if line.startswith('F001/T1/0003.jpg'))
    assert row[1 + BP4D_AUS.index('AU23')] == '0'
    with pytest.raises(ValueError, match="unknown must be 'drop'"):
        convert_au_labels('bp4d', str(occ), str(tmp_path / 'x'),
                          unknown='9')


def test_drawn_folds_are_subject_exclusive_and_seeded(tmp_path):
    occ = write_bp4d(tmp_path, tasks=('T1', ))
    a = convert_au_labels('bp4d', str(occ), str(tmp_path / 'a'),
                          folds='seeded', seed=0)
    b = convert_au_labels('bp4d', str(occ), str(tmp_path / 'b'),
                          folds='seeded', seed=0)
    c = convert_au_labels('bp4d', str(occ), str(tmp_path / 'c'),
                          folds='seeded', seed=1)
    subjects = [r['subjects'] for r in a]
    assert subjects == [r['subjects'] for r in b]
    assert subjects != [r['subjects'] for r in c]
    assert sorted(s for fold in subjects for s in fold) == sorted(SUBJECTS)
    assert [len(f) for f in subjects] == [2, 2, 2]
    folds = seeded_subject_folds(SUBJECTS, 4)
    assert sorted(len(f) for f in folds) == [1, 1, 2, 2]


def test_disfa_intensity_threshold(tmp_path):
    labels = tmp_path / 'ActionUnit_Labels'
    levels = {}
    for s, subject in enumerate(('SN001', 'SN002', 'SN003')):
        (labels / subject).mkdir(parents=True)
        for a in (1, 2, 4, 5, 6, 9, 12, 15, 17, 20, 25, 26):
            rows = []
            for frame in (1, 2, 3, 4):
                level = (frame + a + s) % 6
                levels[subject, frame, a] = level
                rows.append(f'{frame},{level}')
            (labels / subject / f'{subject}_au{a}.txt').write_text(
                '\n'.join(rows) + '\n')
    rows = read_disfa_intensities(str(labels / 'SN002'))
    assert [f for f, _ in rows] == [1, 2, 3, 4]
    numbers = [int(a[2:]) for a in DISFA_AUS]
    for frame, values in rows:
        assert values == [str(int(levels['SN002', frame, a] >= 2))
                          for a in numbers]
    high = read_disfa_intensities(str(labels / 'SN002'), threshold=4)
    assert high[0][1] == [str(int(levels['SN002', 1, a] >= 4))
                          for a in numbers]
    report = convert_au_labels('disfa', str(labels), str(tmp_path / 'lists'),
                               folds=[['SN001'], ['SN002', 'SN003']])
    assert [r['frames'] for r in report] == [4, 8]
    lines = (tmp_path / 'lists' / 'fold1.txt').read_text().splitlines()
    assert lines[0] == 'image ' + ' '.join(DISFA_AUS)
    assert lines[1].split()[0] == 'SN001/00001.jpg'
    share = np.mean([levels['SN001', f, 1] >= 2 for f in (1, 2, 3, 4)])
    assert report[0]['present']['AU1'] == pytest.approx(share)


def test_bad_labels_name_file_and_line(tmp_path):
    occ = write_bp4d(tmp_path, subjects=('F001', ), tasks=('T1', ))
    path = occ / 'F001_T1.csv'
    lines = path.read_text().splitlines()
    path.write_text('\n'.join(lines[:2] + [lines[2].replace(',1', ',2', 1)]))
    with pytest.raises(AnnotationError,
                       match=rf"{path}:3: value '2' is not 0, 1 or 9"):
        read_bp4d_occurrence(str(path))
    path.write_text('\n'.join(lines[:2] + [lines[1]]))
    with pytest.raises(AnnotationError, match=rf'{path}:3: frame 1 is '
                       'listed twice \\(first on line 2\\)'):
        read_bp4d_occurrence(str(path))
    path.write_text('frame,1,2\n1,0,1\n')
    with pytest.raises(AnnotationError,
                       match=rf'{path}:1: no column for AU4 in the header'):
        read_bp4d_occurrence(str(path))

    subject = tmp_path / 'SN001'
    subject.mkdir()
    (subject / 'SN001_au1.txt').write_text('1,0\n2,7\n')
    with pytest.raises(AnnotationError, match=r'SN001_au1.txt:2: intensity 7'):
        read_disfa_intensities(str(subject), aus=['AU1'])
    (subject / 'SN001_au1.txt').write_text('1,0\n2,1\n')
    (subject / 'SN001_au2.txt').write_text('1,0\n')
    with pytest.raises(AnnotationError, match=r'SN001_au2.txt:1: its frames '
                       r'differ from those of .*SN001_au1.txt \(e.g. frame'):
        read_disfa_intensities(str(subject), aus=['AU1', 'AU2'])
    with pytest.raises(AnnotationError, match=r'SN001_au4.txt:1: the '
                       'intensity file of AU4 of SN001 does not exist'):
        read_disfa_intensities(str(subject), aus=['AU1', 'AU4'])

    folds = tmp_path / 'folds.txt'
    folds.write_text('F001 M001\nM001 F002\n')
    with pytest.raises(AnnotationError, match=rf'{folds}:2: subject M001 is '
                       'already in the fold of line 1'):
        read_fold_file(str(folds))
    path.write_text('\n'.join(lines))
    with pytest.raises(ValueError, match=r"subjects \['F001'\] of .* are in "
                       'no fold'):
        convert_au_labels('bp4d', str(occ), str(tmp_path / 'x'),
                          folds=[['M001'], ['F002']])


def test_published_folds_by_default(tmp_path):
    # one subject of each published BP4D fold, and the published split's
    # size: 41 subjects, 14 / 14 / 13
    assert [len(f) for f in PUBLISHED_FOLDS['bp4d']] == [14, 14, 13]
    assert [len(f) for f in PUBLISHED_FOLDS['disfa']] == [9, 9, 9]
    for name in ('bp4d', 'disfa'):
        subjects = [s for fold in PUBLISHED_FOLDS[name] for s in fold]
        assert len(set(subjects)) == len(subjects)
    occ = write_bp4d(tmp_path, subjects=('F001', 'M011', 'F007', 'M008'),
                     tasks=('T1', ))
    report = convert_au_labels('bp4d', str(occ), str(tmp_path / 'lists'))
    assert [r['frames'] for r in report] == [4, 2, 2]  # 3 frames, less 9s
    text = (tmp_path / 'lists' / 'fold1.txt').read_text()
    assert 'F001/T1/0001.jpg' in text and 'M008/T1/0002.jpg' in text
    assert 'M011/' in (tmp_path / 'lists' / 'fold2.txt').read_text()
    assert 'F007/' in (tmp_path / 'lists' / 'fold3.txt').read_text()
    other = tmp_path / 'other'
    other.mkdir()
    occ = write_bp4d(other, subjects=('F001', 'X001'), tasks=('T1', ))
    with pytest.raises(ValueError, match=r"subjects \['X001'\] of .* are in "
                       r"no fold \(give the folds as a list / fold file, or "
                       r"draw them: folds='seeded'\)"):
        convert_au_labels('bp4d', str(occ), str(other / 'lists'))
