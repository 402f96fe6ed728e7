import logging
import os
import os.path as osp
import re

import cv2
import numpy as np
import pytest

from fbp_mm.datasets import AnnotationError, ScoreListDataset
from fbp_mm.datasets import annotations as annotations_module


def write_images(root, names, size=16):
    rng = np.random.default_rng(0)
    for name in names:
        path = osp.join(root, name)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, rng.integers(0, 255, (size, size, 3), np.uint8))


def write_text(path, text):
    with open(path, 'w') as f:
        f.write(text)


@pytest.fixture
def image_root(tmp_path):
    write_images(str(tmp_path / 'imgs'), ['a.jpg', 'b.jpg', 'sub/c.jpg'])
    return tmp_path


def test_txt_list_reads_paths_and_scores(image_root):
    write_text(image_root / 'list.txt',
               '# comment\na.jpg 2.5\n\nb.jpg 4\nsub/c.jpg 1.25\n')
    ds = ScoreListDataset(
        ann_file='list.txt', data_root=str(image_root), data_prefix='imgs')
    assert len(ds) == 3
    assert ds.get_gt_scores() == [[2.5], [4.0], [1.25]]
    assert ds.get_data_info(2)['img_path'] == osp.join(
        str(image_root), 'imgs', 'sub/c.jpg')


def test_txt_list_multiple_scores(image_root):
    write_text(image_root / 'list.txt', 'a.jpg 1 2 3\nb.jpg 4 5 6\n')
    ds = ScoreListDataset(
        ann_file='list.txt', data_root=str(image_root), data_prefix='imgs')
    assert ds.get_gt_scores() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_csv_default_and_chosen_columns(image_root):
    write_text(image_root / 'fiqa.csv',
               'image_name,score\na.jpg,0.5\nb.jpg,0.75\n')
    ds = ScoreListDataset(
        ann_file='fiqa.csv', data_root=str(image_root), data_prefix='imgs')
    assert ds.get_gt_scores() == [[0.5], [0.75]]

    write_text(image_root / 'multi.csv',
               'id,file,beauty,age\n1,a.jpg,3.5,20\n2,sub/c.jpg,2.0,41\n')
    ds = ScoreListDataset(
        ann_file='multi.csv',
        data_root=str(image_root),
        data_prefix='imgs',
        image_column='file',
        score_columns=['age', 'beauty'])
    assert ds.get_gt_scores() == [[20.0, 3.5], [41.0, 2.0]]
    assert ds.get_data_info(1)['img_path'].endswith('sub/c.jpg')


def test_csv_missing_column_names_header(image_root):
    write_text(image_root / 'x.csv', 'image,score\na.jpg,1\n')
    with pytest.raises(AnnotationError, match=r"x\.csv:1: .*'beauty'"):
        ScoreListDataset(
            ann_file='x.csv',
            data_root=str(image_root),
            data_prefix='imgs',
            score_columns='beauty')


def test_pseudo_label_csv_reads_its_score_column(image_root):
    write_text(image_root / 'pseudo.csv',
               'image,score,raw_score,model,round\n'
               'a.jpg,3.5,0.25,teacher.pth,1\nb.jpg,2.0,-0.5,teacher.pth,1\n')
    ds = ScoreListDataset(
        ann_file='pseudo.csv', data_root=str(image_root), data_prefix='imgs')
    assert ds.get_gt_scores() == [[3.5], [2.0]]


@pytest.mark.parametrize('content, first_row', [
    ('a.jpg,0.5\nb.jpg,0.75\n', "'a.jpg,0.5'"),  # image path and number
    ('face_01,0.5\nb.jpg,0.75\n', "'face_01,0.5'"),  # a number
    ('id,a.png\n', "'id,a.png'"),  # an image path
])
def test_csv_without_header_is_an_error(image_root, content, first_row):
    # Read as a header, the first row would be lost and the second column
    # taken for scores; it must be refused instead.
    write_text(image_root / 'noheader.csv', content)
    ann = osp.join(str(image_root), 'noheader.csv')
    with pytest.raises(AnnotationError) as err:
        ScoreListDataset(
            ann_file='noheader.csv',
            data_root=str(image_root),
            data_prefix='imgs')
    text = str(err.value)
    assert text.startswith(
        f'{ann}:1: the CSV list has no header: its first row {first_row} '
        'looks like data; expected a header naming the image column (one '
        'of image, image_name, filename, file, path, img, name) and the '
        'score column(s) (score), e.g. "image,score". Add that header row '
        '(set image_column / score_columns to accept other column names).')


def test_csv_without_score_column_names_columns_and_keys(image_root):
    # The second column is not taken for the score.
    write_text(image_root / 'mos.csv', 'image_name,mos\na.jpg,0.5\n')
    with pytest.raises(AnnotationError) as err:
        ScoreListDataset(
            ann_file='mos.csv', data_root=str(image_root), data_prefix='imgs')
    ann = osp.join(str(image_root), 'mos.csv')
    assert str(err.value) == (
        f"{ann}:1: no score column ['score'] in the header ['image_name', "
        "'mos']; expected ['score'] (set score_columns to the name(s) of the "
        'column(s) that hold the scores).')
    ds = ScoreListDataset(
        ann_file='mos.csv',
        data_root=str(image_root),
        data_prefix='imgs',
        score_columns='mos')
    assert ds.get_gt_scores() == [[0.5]]


def test_csv_image_column_aliases(image_root):
    write_text(image_root / 'odd.csv', 'picture,score\na.jpg,0.5\n')
    ann = osp.join(str(image_root), 'odd.csv')
    with pytest.raises(AnnotationError) as err:
        ScoreListDataset(
            ann_file='odd.csv', data_root=str(image_root), data_prefix='imgs')
    assert str(err.value) == (
        f"{ann}:1: no image column in the header ['picture', 'score']; "
        "expected one of ['image', 'image_name', 'filename', 'file', 'path', "
        "'img', 'name'] (set image_column to the name of the column that "
        'holds the image paths).')
    ds = ScoreListDataset(
        ann_file='odd.csv',
        data_root=str(image_root),
        data_prefix='imgs',
        image_column=('photo', 'picture'))
    assert ds.get_data_info(0)['img_path'].endswith('a.jpg')
    # The first accepted name in order wins when several are present.
    write_text(image_root / 'both.csv',
               'path,image,score\nsub/c.jpg,a.jpg,1\n')
    ds = ScoreListDataset(
        ann_file='both.csv', data_root=str(image_root), data_prefix='imgs')
    assert ds.get_data_info(0)['img_path'].endswith('a.jpg')


@pytest.mark.parametrize('content, line, message', [
    ('a.jpg 2\nmissing.jpg 3\n', 2, 'does not exist'),
    ('a.jpg 2\nb.jpg high\n', 2, 'score "high" is not a number'),
    ('a.jpg 2\nb.jpg nan\n', 2, 'not finite'),
    ('a.jpg 2\n\nb.jpg 7.5\n', 3, r'7\.5 is outside the range \[1, 5\]'),
    ('a.jpg 2\nb.jpg 3\na.jpg 4\n', 3, 'duplicate entry "a.jpg" .*line 1'),
    ('a.jpg 2\nb.jpg\n', 2, 'no score'),
    ('a.jpg 2\nb.jpg 3 4\n', 2, r'2 score\(s\) where 1 are expected'),
])
def test_bad_rows_name_file_and_line(image_root, content, line, message):
    write_text(image_root / 'bad.txt', content)
    ann = osp.join(str(image_root), 'bad.txt')
    with pytest.raises(AnnotationError) as err:
        ScoreListDataset(
            ann_file='bad.txt',
            data_root=str(image_root),
            data_prefix='imgs',
            score_range=(1, 5))
    text = str(err.value)
    assert text.startswith(f'{ann}:{line}: ')
    assert text.endswith(' (set skip_invalid=True to skip such rows)')
    assert re.search(message, text), text


def test_skip_invalid_counts_rows_in_one_warning(image_root, monkeypatch):
    write_text(image_root / 'bad.txt',
               'a.jpg 2\nmissing.jpg 3\nb.jpg x\nsub/c.jpg 4\nb.jpg 9\n')
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    ds = ScoreListDataset(
        ann_file='bad.txt',
        data_root=str(image_root),
        data_prefix='imgs',
        score_range=(1, 5),
        skip_invalid=True)
    assert ds.get_gt_scores() == [[2.0], [4.0]]
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert 'Skipped 3 invalid row(s)' in message
    assert 'bad.txt:2:' in message


def test_empty_list_is_an_error(image_root):
    write_text(image_root / 'empty.txt', '# nothing here\n\n')
    with pytest.raises(AnnotationError, match='empty.txt:1: no valid sample'):
        ScoreListDataset(ann_file='empty.txt', data_root=str(image_root))
    write_text(image_root / 'allbad.txt', 'zz.jpg 1\n')
    with pytest.raises(AnnotationError, match=r'1 invalid'):
        ScoreListDataset(
            ann_file='allbad.txt',
            data_root=str(image_root),
            data_prefix='imgs',
            skip_invalid=True)


def test_missing_annotation_file(image_root):
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        ScoreListDataset(ann_file='nope.txt', data_root=str(image_root))


def test_corrupt_image_fails_with_its_path(image_root):
    write_text(image_root / 'imgs' / 'broken.jpg', 'not an image')
    write_text(image_root / 'list.txt', 'a.jpg 2\nbroken.jpg 3\n')
    ds = ScoreListDataset(
        ann_file='list.txt',
        data_root=str(image_root),
        data_prefix='imgs',
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='PackInputs')])
    sample = ds[0]
    assert sample['data_samples'].gt_score.tolist() == [2.0]
    with pytest.raises(RuntimeError, match='broken.jpg'):
        ds[1]


def test_several_lists_read_as_one_dataset(image_root):
    write_text(image_root / 'labeled.csv', 'image,score\na.jpg,2\n')
    pseudo = image_root / 'pseudo.csv'
    write_text(pseudo, 'image,score,raw_score\nb.jpg,3.5,0.2\nsub/c.jpg,4,1\n')
    ds = ScoreListDataset(
        ann_file=['labeled.csv', str(pseudo)],
        data_root=str(image_root),
        data_prefix='imgs')
    assert ds.get_gt_scores() == [[2.0], [3.5], [4.0]]
    assert [ds.get_data_info(i)['list_index'] for i in range(3)] == [0, 1, 1]
    write_text(image_root / 'again.csv', 'image,score\nsub/c.jpg,1\n')
    with pytest.raises(AnnotationError, match=r'again\.csv:2: duplicate .*'
                       r'pseudo\.csv:3'):
        ScoreListDataset(
            ann_file=['labeled.csv', str(pseudo), 'again.csv'],
            data_root=str(image_root),
            data_prefix='imgs')
