"""CelebAAttributes reads CelebA's official attribute and partition lists."""
import logging
import os.path as osp

import cv2
import numpy as np
import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.datasets import AnnotationError, CelebAAttributes
from fbp_mm.datasets import annotations as annotations_module
from fbp_mm.datasets.celeba import CELEBA_ATTRIBUTES

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_ROOT = osp.join(REPO_ROOT, 'data', 'demo_faces')

# Five images: name, indices of the present attributes, partition code.
ROWS = [
    ('000001.jpg', [2, 31, 39], 0),
    ('000002.jpg', [], 0),
    ('000003.jpg', [20], 1),
    ('000004.jpg', [0, 20, 24], 2),
    ('000005.jpg', [39], 0),
]


def attr_line(name, values):
    """A row as the official file writes it: 1 / -1 padded to width 2."""
    return name + ' ' + ' '.join(f'{v:2d}' for v in values)


def write_celeba(root, names=CELEBA_ATTRIBUTES, rows=ROWS, count=None,
                 extra_attr_lines=(), extra_partition_lines=(),
                 images=True, img_dir='img_align_celeba'):
    """Write ``Anno/list_attr_celeba.txt``, ``Eval/list_eval_partition.txt``
    and tiny images in CelebA's layout; return the root as str."""
    (root / 'Anno').mkdir(parents=True, exist_ok=True)
    (root / 'Eval').mkdir(parents=True, exist_ok=True)
    lines = []
    for name, positive, _ in rows:
        values = [1 if i in positive else -1 for i in range(len(names))]
        lines.append(attr_line(name, values))
    lines += list(extra_attr_lines)
    count = len(lines) if count is None else count
    (root / 'Anno' / 'list_attr_celeba.txt').write_text(
        f'{count}\n' + ' '.join(names) + ' \n' + '\n'.join(lines) + '\n')
    partition = [f'{name} {code}' for name, _, code in rows]
    partition += list(extra_partition_lines)
    (root / 'Eval' / 'list_eval_partition.txt').write_text(
        '\n'.join(partition) + '\n')
    if images:
        (root / img_dir).mkdir(exist_ok=True)
        img = np.zeros((4, 4, 3), np.uint8)
        for name, _, _ in rows:
            cv2.imwrite(str(root / img_dir / name), img)
    return str(root)


def build(**kwargs):
    # serialize_data=False skips MMEngine's gc.collect() (~0.3 s a build);
    # the PackInputs test keeps the default.
    kwargs.setdefault('serialize_data', False)
    return DATASETS.build(dict(type='CelebAAttributes', **kwargs))


def names_of(ds):
    return [
        osp.basename(ds.get_data_info(i)['img_path']) for i in range(len(ds))
    ]


def capture_warnings(monkeypatch):
    logged = []
    monkeypatch.setattr(
        annotations_module, 'print_log',
        lambda msg, logger=None, level=None: logged.append((msg, level)))
    return logged


def test_official_layout_splits_and_labels(tmp_path):
    root = write_celeba(tmp_path)
    train = build(data_root=root, split='train')
    assert isinstance(train, CelebAAttributes)
    assert names_of(train) == ['000001.jpg', '000002.jpg', '000005.jpg']
    assert train.metainfo['classes'] == CELEBA_ATTRIBUTES
    assert len(CELEBA_ATTRIBUTES) == 40
    first = train.get_data_info(0)
    assert first['img_path'] == osp.join(root, 'img_align_celeba',
                                         '000001.jpg')
    assert first['gt_label'] == [2, 31, 39]
    assert first['gt_attributes'].dtype == np.int64
    expected = np.zeros(40, np.int64)
    expected[[2, 31, 39]] = 1
    np.testing.assert_array_equal(first['gt_attributes'], expected)
    assert train.get_data_info(1)['gt_label'] == []
    assert train.get_data_info(1)['gt_attributes'].sum() == 0
    assert train.get_data_info(2)['gt_label'] == [39]

    assert names_of(build(data_root=root, split='val')) == ['000003.jpg']
    test = build(data_root=root, split='test')
    assert names_of(test) == ['000004.jpg']
    assert test.get_data_info(0)['gt_label'] == [0, 20, 24]
    everything = build(data_root=root, split='all')
    assert names_of(everything) == [r[0] for r in ROWS]
    assert everything.get_gt_attributes().shape == (5, 40)
    assert everything.get_gt_attributes().sum() == 8


def test_multi_label_packs_for_mmpretrain(tmp_path):
    from mmpretrain.structures import label_to_onehot
    root = write_celeba(tmp_path)
    ds = build(
        data_root=root,
        split='test',
        serialize_data=True,
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='PackInputs')])
    sample = ds[0]['data_samples']
    assert sample.gt_label.tolist() == [0, 20, 24]
    onehot = label_to_onehot(sample.gt_label, 40)
    np.testing.assert_array_equal(onehot.numpy(),
                                  ds.get_data_info(0)['gt_attributes'])


def test_attribute_subset_in_given_order(tmp_path):
    root = write_celeba(tmp_path)
    ds = build(
        data_root=root,
        split='all',
        attributes=['Young', 'Male', 'Attractive'])
    assert ds.metainfo['classes'] == ('Young', 'Male', 'Attractive')
    assert [ds.get_data_info(i)['gt_label'] for i in range(5)] == [
        [0, 2], [], [1], [1], [0]
    ]
    np.testing.assert_array_equal(ds.get_data_info(0)['gt_attributes'],
                                  [1, 0, 1])
    with pytest.raises(ValueError, match=r"Unknown attribute\(s\) \['Cute'\]"
                       r".*'5_o_Clock_Shadow', 'Arched_Eyebrows'"):
        build(data_root=root, split='all', attributes=['Male', 'Cute'])
    with pytest.raises(ValueError, match='twice'):
        build(data_root=root, split='all', attributes=['Male', 'Male'])


def test_demo_layout_without_partition(tmp_path):
    """Any number of attributes (from line 2), paths relative to data_root,
    no partition file: the synthetic demo faces' ``attributes.txt``."""
    (tmp_path / 'Images').mkdir()
    img = np.zeros((4, 4, 3), np.uint8)
    for name in ['AF1.jpg', 'AM1.jpg', 'CF1.jpg']:
        cv2.imwrite(str(tmp_path / 'Images' / name), img)
    (tmp_path / 'attributes.txt').write_text(
        '3\nsmiling big_eyes wide_mouth long_hair\n'
        'Images/AF1.jpg  1 -1  1  1\n'
        'Images/AM1.jpg -1  1 -1 -1\n'
        'Images/CF1.jpg -1 -1 -1  1\n')
    kwargs = dict(attr_file='attributes.txt', partition_file=None,
                  data_prefix='', split='all')
    ds = build(data_root=str(tmp_path), **kwargs)
    assert ds.metainfo['classes'] == ('smiling', 'big_eyes', 'wide_mouth',
                                      'long_hair')
    assert ds.get_data_info(0)['img_path'] == osp.join(
        str(tmp_path), 'Images', 'AF1.jpg')
    assert [ds.get_data_info(i)['gt_label'] for i in range(3)] == [
        [0, 2, 3], [1], [3]
    ]
    np.testing.assert_array_equal(ds.get_data_info(1)['gt_attributes'],
                                  [0, 1, 0, 0])
    with pytest.raises(ValueError, match='needs a partition_file'):
        build(data_root=str(tmp_path), **dict(kwargs, split='train'))


@pytest.mark.skipif(
    not osp.isfile(osp.join(DEMO_ROOT, 'attributes.txt')),
    reason='the synthetic demo faces are not generated')
def test_real_demo_attributes_file():
    ds = CelebAAttributes(
        data_root=DEMO_ROOT,
        attr_file='attributes.txt',
        partition_file=None,
        data_prefix='',
        split='all',
        serialize_data=False)
    assert ds.metainfo['classes'] == ('smiling', 'big_eyes', 'wide_mouth',
                                      'long_hair')
    with open(osp.join(DEMO_ROOT, 'attributes.txt')) as f:
        lines = f.read().splitlines()
    assert len(ds) == int(lines[0])
    fields = lines[2].split()
    first = ds.get_data_info(0)
    assert first['img_path'] == osp.join(DEMO_ROOT, fields[0])
    np.testing.assert_array_equal(first['gt_attributes'],
                                  [int(v) > 0 for v in fields[1:]])


def test_missing_files_say_what_they_are(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'Attribute file .*list_attr_celeba\.txt'):
        build(data_root=str(tmp_path), split='train')
    root = write_celeba(tmp_path)
    (tmp_path / 'Eval' / 'list_eval_partition.txt').unlink()
    with pytest.raises(FileNotFoundError,
                       match=r'Partition file .*list_eval_partition\.txt'):
        build(data_root=root, split='train')


def test_count_on_line_one_must_match(tmp_path):
    root = write_celeba(tmp_path, count=6)
    with pytest.raises(AnnotationError,
                       match=r'list_attr_celeba\.txt:1: line 1 gives 6 '
                       'images but the file lists 5'):
        build(data_root=root, split='all')
    root = write_celeba(tmp_path, count='five')
    with pytest.raises(AnnotationError, match=r'list_attr_celeba\.txt:1:'):
        build(data_root=root, split='all')


@pytest.mark.parametrize('line, message', [
    (attr_line('000006.jpg', [1] * 39), 'expected an image and 40 values'),
    (attr_line('000006.jpg', [1] * 39 + [0]), "value '0' is not 1 or -1"),
    (attr_line('000001.jpg', [1] * 40), 'listed twice'),
])
def test_bad_attribute_row_names_file_and_line(tmp_path, line, message):
    root = write_celeba(tmp_path, extra_attr_lines=[line])
    with pytest.raises(AnnotationError,
                       match=r'list_attr_celeba\.txt:8: .*' + message):
        build(data_root=root, split='all')


def test_bad_partition_rows_name_partition_file_and_line(tmp_path):
    root = write_celeba(tmp_path, extra_partition_lines=['000009.jpg 0'])
    with pytest.raises(AnnotationError,
                       match=r'list_eval_partition\.txt:6: "000009\.jpg" is '
                       'not in the annotation file'):
        build(data_root=root, split='train')
    root = write_celeba(tmp_path, extra_partition_lines=['000009.jpg 3'])
    with pytest.raises(AnnotationError,
                       match=r'list_eval_partition\.txt:6: expected'):
        build(data_root=root, split='train')


def test_missing_image_of_the_split_only(tmp_path):
    root = write_celeba(tmp_path)
    (tmp_path / 'img_align_celeba' / '000003.jpg').unlink()
    assert len(build(data_root=root, split='train')) == 3
    with pytest.raises(AnnotationError,
                       match=r'list_attr_celeba\.txt:5: image .*000003\.jpg'
                       '" does not exist'):
        build(data_root=root, split='val')


def test_skip_invalid_drops_rows_with_one_warning(tmp_path, monkeypatch):
    root = write_celeba(
        tmp_path,
        extra_attr_lines=[attr_line('000006.jpg', [1, -1])],
        extra_partition_lines=['000007.jpg 0'])
    (tmp_path / 'img_align_celeba' / '000002.jpg').unlink()
    logged = capture_warnings(monkeypatch)
    ds = build(data_root=root, split='train', skip_invalid=True)
    assert names_of(ds) == ['000001.jpg', '000005.jpg']
    assert len(logged) == 1
    message, level = logged[0]
    assert level == logging.WARNING
    assert message.startswith('Skipped 3 invalid row(s)')
    assert 'list_attr_celeba.txt:8:' in message
