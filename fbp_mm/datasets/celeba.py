"""CelebA binary face attributes read from the official list files."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import (AnnotationError, InvalidRows, missing_image,
                          read_partition)

__all__ = ['CELEBA_ATTRIBUTES', 'CelebAAttributes', 'AttributeSubset']

#: The 40 attributes of CelebA's ``list_attr_celeba.txt``, in file order.
CELEBA_ATTRIBUTES = (
    '5_o_Clock_Shadow', 'Arched_Eyebrows', 'Attractive', 'Bags_Under_Eyes',
    'Bald', 'Bangs', 'Big_Lips', 'Big_Nose', 'Black_Hair', 'Blond_Hair',
    'Blurry', 'Brown_Hair', 'Bushy_Eyebrows', 'Chubby', 'Double_Chin',
    'Eyeglasses', 'Goatee', 'Gray_Hair', 'Heavy_Makeup', 'High_Cheekbones',
    'Male', 'Mouth_Slightly_Open', 'Mustache', 'Narrow_Eyes', 'No_Beard',
    'Oval_Face', 'Pale_Skin', 'Pointy_Nose', 'Receding_Hairline',
    'Rosy_Cheeks', 'Sideburns', 'Smiling', 'Straight_Hair', 'Wavy_Hair',
    'Wearing_Earrings', 'Wearing_Hat', 'Wearing_Lipstick', 'Wearing_Necklace',
    'Wearing_Necktie', 'Young')

#: ``list_eval_partition.txt`` codes of the splits.
PARTITION_CODES = {'train': 0, 'val': 1, 'test': 2}
SPLITS = ('train', 'val', 'test', 'all')

# One attribute row: (line number, image name, 0/1 values).
_Row = Tuple[int, str, np.ndarray]


class AttributeSubset:
    """Attributes chosen by name, for datasets of binary attribute lists.

    Shared by :class:`CelebAAttributes`,
    :class:`~fbp_mm.datasets.LFWAttributes` and
    :class:`~fbp_mm.datasets.LFWA`: the ``attributes`` argument is
    checked when the dataset is made (:meth:`check_attributes`), matched to
    the file's names when it is read (:meth:`attribute_columns`), and the
    0 / 1 targets are read back with :meth:`get_gt_attributes`. The
    attribute file is the dataset's ``ann_file`` (:attr:`attr_file`).
    """

    @property
    def attr_file(self) -> str:
        """The attribute file, joined with ``data_root``."""
        return self.ann_file

    @staticmethod
    def check_attributes(attributes: Optional[Sequence[str]],
                         kwargs: dict) -> Optional[List[str]]:
        """Check ``attributes`` and set ``kwargs['metainfo']['classes']``.

        Args:
            attributes (Sequence[str] | str, optional): Names to keep, or
                None for all.
            kwargs (dict): The dataset's other arguments, edited in place.

        Returns:
            list[str] | None: The names, or None.

        Raises:
            ValueError: An empty list or a name given twice.
        """
        if attributes is None:
            return None
        if isinstance(attributes, str):
            attributes = [attributes]
        attributes = [str(a) for a in attributes]
        if not attributes:
            raise ValueError('attributes is an empty list; give None '
                             'to keep all of them.')
        repeated = sorted({a for a in attributes if attributes.count(a) > 1})
        if repeated:
            raise ValueError(f'attributes names {repeated} twice.')
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo['classes'] = tuple(attributes)
        kwargs['metainfo'] = metainfo
        return attributes

    def attribute_columns(self, names: Sequence[str]) -> List[int]:
        """The columns of ``self.attributes`` among the file's ``names``
        (all when None); sets ``metainfo['classes']``.

        Raises:
            ValueError: A chosen name the file does not have.
        """
        if self.attributes is None:
            self._metainfo['classes'] = tuple(names)
            return list(range(len(names)))
        unknown = [a for a in self.attributes if a not in names]
        if unknown:
            raise ValueError(f'Unknown attribute(s) {unknown}; '
                             f'{self.attr_file} has {list(names)}.')
        self._metainfo['classes'] = tuple(self.attributes)
        return [list(names).index(a) for a in self.attributes]

    def get_gt_attributes(self) -> np.ndarray:
        """``(num_samples, num_attributes)`` 0 / 1 array, dataset order."""
        return np.stack([
            self.get_data_info(i)['gt_attributes'] for i in range(len(self))
        ])


@DATASETS.register_module()
class CelebAAttributes(AttributeSubset, BaseDataset):
    """CelebA face attributes (multi-label) from the official list files.

    Expects the layout of the released archive under ``data_root``::

        data_root/
          img_align_celeba/000001.jpg ...
          Anno/list_attr_celeba.txt
          Eval/list_eval_partition.txt

    ``list_attr_celeba.txt`` holds the number of images on line 1, the
    attribute names (separated by white space) on line 2, then one row per
    image, ``000001.jpg -1  1  1 -1 ...``, with ``1`` (present) or ``-1``
    (absent) per attribute, separated by one or more spaces. The number of
    attributes is taken from line 2, so any file in this layout is read
    (the synthetic demo faces' ``attributes.txt`` has four).
    ``list_eval_partition.txt`` has ``000001.jpg 0`` rows: 0 = train,
    1 = val, 2 = test.

    Each sample carries ``img_path``, ``gt_label`` (the list of indices of
    the present attributes, MMPretrain's multi-label convention that
    ``MultiLabelLinearClsHead`` reads) and ``gt_attributes`` (an
    ``np.int64`` array of 0 / 1, one per attribute). ``metainfo['classes']``
    holds the attribute names (those of the file, or ``attributes``);
    before the list is loaded (``lazy_init=True``) it holds
    :data:`CELEBA_ATTRIBUTES` or ``attributes``.

    Problems of the files raise an :class:`AnnotationError` whose message
    starts with ``file:line:``: the count on line 1 differing from the
    number of rows (line 1), a row without exactly one value per attribute
    or with a value other than 1 / -1, an image listed twice, a partition
    row that is not ``<image> 0|1|2``, an image of the partition file
    missing from the attribute file (named by its partition line), and a
    missing image file (named by its attribute line; only images of the
    chosen split are checked). With ``skip_invalid=True`` bad rows are
    dropped instead and counted in one warning; a bad count or header is
    always an error.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'`` (every
            row of the attribute file). Defaults to ``'train'``.
        attr_file (str): The attribute list, relative to ``data_root``
            unless absolute. Defaults to ``'Anno/list_attr_celeba.txt'``.
        partition_file (str, optional): The split list, relative to
            ``data_root`` unless absolute. None reads every row of the
            attribute file; ``split`` must then be ``'all'``. Defaults to
            ``'Eval/list_eval_partition.txt'``.
        data_prefix (str | dict): Image folder relative to ``data_root``;
            a str or ``dict(img_path=...)``. Defaults to
            ``'img_align_celeba'``.
        attributes (Sequence[str], optional): Names of the attributes to
            keep, in this order (``classes``, ``gt_label`` indices and
            ``gt_attributes`` follow it). Defaults to None (all, in file
            order).
        skip_invalid (bool): Skip bad rows with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='CelebAAttributes', data_root='data/celeba',
        ...              split='train',
        ...              attributes=['Smiling', 'Male', 'Young'])
        >>> val = dict(train, split='val')
        >>> # the synthetic demo faces' attributes (no partition file):
        >>> demo = dict(type='CelebAAttributes',
        ...             data_root='data/demo_faces',
        ...             attr_file='attributes.txt', partition_file=None,
        ...             data_prefix='', split='all')
    """

    METAINFO = {'classes': CELEBA_ATTRIBUTES}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 attr_file: str = osp.join('Anno', 'list_attr_celeba.txt'),
                 partition_file: Optional[str] = osp.join(
                     'Eval', 'list_eval_partition.txt'),
                 data_prefix: Union[str, dict] = 'img_align_celeba',
                 attributes: Optional[Sequence[str]] = None,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        if split not in SPLITS:
            raise ValueError("split must be 'train', 'val', 'test' or "
                             f"'all', got {split!r}")
        if partition_file is None and split != 'all':
            raise ValueError(
                f"split={split!r} needs a partition_file; without one "
                "(partition_file=None) only split='all' is possible.")
        attributes = self.check_attributes(attributes, kwargs)
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        if partition_file and not osp.isabs(partition_file) and data_root:
            partition_file = osp.join(data_root, partition_file)
        self.split = split
        self.partition_file = partition_file
        self.attributes = attributes
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=attr_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    @property
    def ann_files(self) -> List[str]:
        """The files the samples come from (for recipe fingerprints)."""
        return [f for f in (self.ann_file, self.partition_file) if f]

    # ----------------------------------------------------------- reading
    def _read_attributes(self, problems: InvalidRows
                         ) -> Tuple[List[str], List[_Row], Set[str]]:
        """Attribute names, the valid rows of the attribute file and the
        names of all its images (valid or not)."""
        path = self.attr_file
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Attribute file {path} (the CelebA-style list of images and '
                'their 1 / -1 attribute values) does not exist.')
        with open(path, encoding='utf-8') as f:
            lines = f.read().splitlines()
        count_text = lines[0].strip() if lines else ''
        try:
            count = int(count_text)
        except ValueError:
            raise AnnotationError(
                f'{path}:1: expected the number of images, got '
                f'{count_text!r}') from None
        names = lines[1].split() if len(lines) > 1 else []
        if not names:
            raise AnnotationError(
                f'{path}:2: expected the attribute names separated by '
                'spaces')
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise AnnotationError(
                f'{path}:2: attribute name(s) {repeated} appear twice')
        num_rows = sum(1 for line in lines[2:] if line.strip())
        if num_rows != count:
            raise AnnotationError(
                f'{path}:1: line 1 gives {count} images but the file lists '
                f'{num_rows}')
        rows: List[_Row] = []
        seen: Dict[str, int] = {}
        listed: Set[str] = set()
        for lineno, line in enumerate(lines[2:], start=3):
            fields = line.split()
            if not fields:
                continue
            name, values = fields[0], fields[1:]
            listed.add(name)
            if len(values) != len(names):
                problems.add(
                    path, lineno, f'expected an image and {len(names)} '
                    f'values (one per attribute), got {len(values)} values')
                continue
            bad = next((v for v in values if v not in ('1', '-1')), None)
            if bad is not None:
                problems.add(path, lineno,
                             f'attribute value {bad!r} is not 1 or -1')
                continue
            if name in seen:
                problems.add(
                    path, lineno,
                    f'"{name}" is listed twice (first on line {seen[name]})')
                continue
            seen[name] = lineno
            rows.append((lineno, name,
                         (np.array(values, dtype=np.int64) > 0).astype(
                             np.int64)))
        return names, rows, listed

    def load_data_list(self) -> List[dict]:
        """Read the attribute (and partition) file once, validating every
        row.

        Returns:
            list[dict]: ``dict(img_path=..., gt_label=[...],
            gt_attributes=array)`` per image of the split, in the order of
            the attribute file.
        """
        problems = InvalidRows(self.skip_invalid)
        names, rows, listed = self._read_attributes(problems)
        columns = self.attribute_columns(names)
        if self.partition_file:
            codes = read_partition(self.partition_file, problems, listed,
                                   self.attr_file)
            if self.split != 'all':
                wanted = PARTITION_CODES[self.split]
                rows = [row for row in rows if codes.get(row[1]) == wanted]
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        data_list = []
        for lineno, name, values in rows:
            img_path = osp.join(img_root, name)
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(self.attr_file, lineno, reason)
                continue
            values = values[columns]
            data_list.append(
                dict(
                    img_path=img_path,
                    gt_label=[int(i) for i in np.flatnonzero(values)],
                    gt_attributes=values))
        files = self.attr_file
        if self.partition_file:
            files += f', {self.partition_file}'
        problems.warn(files)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(
                f'{self.attr_file}:1: no valid sample of split '
                f'{self.split!r}{reason}.')
        return data_list
