"""RAF-DB basic emotions read from the official label list."""
import os.path as osp
from typing import Dict, List, Optional, Union

from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import AnnotationError, InvalidRows, missing_image
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_holdout_args, holdout_names)

__all__ = ['RAFDB_EMOTIONS', 'RAFDBBasic']

#: The seven basic emotions; label ``k`` of the list is class ``k - 1``.
RAFDB_EMOTIONS = ('surprise', 'fear', 'disgust', 'happiness', 'sadness',
                  'anger', 'neutral')
SPLITS = ('train', 'val', 'test')


@DATASETS.register_module()
class RAFDBBasic(BaseDataset):
    """RAF-DB basic emotion (7 classes) from the official label list.

    Expects the layout of the released ``basic`` archive under
    ``data_root``::

        data_root/
          EmoLabel/list_patition_label.txt
          Image/aligned/train_00001_aligned.jpg ... test_0001_aligned.jpg
          Image/original/train_00001.jpg ...     (optional)

    (``list_patition_label.txt`` is spelled so in the release.) Each list
    row is ``<image> <label>``, e.g. ``train_00001.jpg 5``, with labels
    1..7 = surprise, fear, disgust, happiness, sadness, anger, neutral.
    The official partition is given by the name: ``train_*`` rows form the
    training list, ``test_*`` rows the test list. The aligned 100 x 100
    faces are named ``<stem>_aligned.jpg``; the original images keep the
    list name.

    RAF-DB has no validation part, and checkpoints must never be selected
    on the test split. So ``split='val'`` holds out a seeded ``val_ratio``
    share of the official training list (see
    :func:`fbp_mm.datasets.splits.holdout_split`; the keys are the image
    names as listed, e.g. ``train_00001.jpg``, so the choice depends on the
    names, the ratio and ``split_seed`` only: not on the order of the rows,
    on ``aligned`` or on which image files exist), and ``split='train'`` is
    the rest of that list. ``split='test'`` is the official test list, to
    be evaluated once at the end. With ``val_ratio=0`` the training split
    is the whole official training list (e.g. to retrain on all of it once
    the schedule is fixed); ``split='val'`` then raises a ``ValueError``.

    Samples carry ``img_path`` and ``gt_label`` (int 0..6, the list label
    minus one). ``metainfo['classes']`` is :data:`RAFDB_EMOTIONS`.

    A row that is not ``<image> <label>``, a label that is not an integer
    1..7, a name starting with neither ``train_`` nor ``test_``, an image
    listed twice (all checked on every row) or a missing image (checked
    for the chosen split only) raises an :class:`AnnotationError` whose
    message starts with ``file:line:``; with ``skip_invalid=True`` such rows
    are dropped and counted in one warning.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Defaults to
            ``'train'``.
        val_ratio (float): Share of the official training list held out as
            the validation split, in ``[0, 1)``. Defaults to 0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        ann_file (str): The label list, relative to ``data_root`` unless
            absolute. Defaults to ``'EmoLabel/list_patition_label.txt'``.
        aligned (bool): Use the aligned faces (``Image/aligned``,
            ``<stem>_aligned.jpg``) rather than the original images
            (``Image/original``, list name). Defaults to True.
        data_prefix (str | dict, optional): Image folder relative to
            ``data_root``. Defaults to None: ``'Image/aligned'`` or
            ``'Image/original'`` after ``aligned``.
        skip_invalid (bool): Skip bad rows with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='RAFDBBasic', data_root='data/RAF-DB/basic',
        ...              split='train',
        ...              pipeline=[dict(type='LoadImageFromFile'),
        ...                        dict(type='PackInputs')])
        >>> val = dict(train, split='val')  # 10% of the train_* rows
        >>> test = dict(train, split='test')
    """

    METAINFO = {'classes': RAFDB_EMOTIONS}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 ann_file: str = osp.join('EmoLabel',
                                          'list_patition_label.txt'),
                 aligned: bool = True,
                 data_prefix: Optional[Union[str, dict]] = None,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio = check_holdout_args(split, SPLITS, val_ratio)
        if data_prefix is None:
            data_prefix = osp.join('Image',
                                   'aligned' if aligned else 'original')
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.split = split
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        self.aligned = bool(aligned)
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def image_name(self, name: str) -> str:
        """File name of the image of list name ``name`` (``train_00001.jpg``
        becomes ``train_00001_aligned.jpg`` when ``aligned``)."""
        if not self.aligned:
            return name
        stem, ext = osp.splitext(name)
        return f'{stem}_aligned{ext}'

    def load_data_list(self) -> List[dict]:
        """Read the label list once, validating every row, then keep the
        part of ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., gt_label=int)`` per image of
            the split, in list order.
        """
        path = self.ann_file
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Label list {path} (RAF-DB\'s "<image> <label 1..7>" rows, '
                'officially EmoLabel/list_patition_label.txt) does not '
                'exist.')
        list_split = 'test' if self.split == 'test' else 'train'
        # One entry per row, in file order: (lineno, reason) for a bad row,
        # (lineno, name, label) for a valid row of the official list_split.
        rows: List[tuple] = []
        seen: Dict[str, int] = {}
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, start=1):
                fields = line.split()
                if not fields or fields[0].startswith('#'):
                    continue
                if len(fields) != 2:
                    rows.append((lineno, 'expected "<image> <label>", got '
                                 f'{len(fields)} fields'))
                    continue
                name, label = fields
                if label not in ('1', '2', '3', '4', '5', '6', '7'):
                    rows.append(
                        (lineno, f'label {label!r} is not an integer 1..7'))
                    continue
                if name.startswith('train_'):
                    split = 'train'
                elif name.startswith('test_'):
                    split = 'test'
                else:
                    rows.append((lineno, f'"{name}" starts with neither '
                                 '"train_" nor "test_", so its split is '
                                 'unknown'))
                    continue
                if name in seen:
                    rows.append((lineno, f'"{name}" is listed twice (first '
                                 f'on line {seen[name]})'))
                    continue
                seen[name] = lineno
                if split == list_split:
                    rows.append((lineno, name, int(label) - 1))
        # None: every row of list_split
        keep = holdout_names([row[1] for row in rows if len(row) == 3],
                             self.split, self.val_ratio, self.split_seed)
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        problems = InvalidRows(self.skip_invalid)
        data_list = []
        for row in rows:
            if len(row) == 2:
                problems.add(path, *row)
                continue
            lineno, name, label = row
            if keep is not None and name not in keep:
                continue
            img_path = osp.join(img_root, self.image_name(name))
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(path, lineno, reason)
                continue
            data_list.append(dict(img_path=img_path, gt_label=label))
        problems.warn(path)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(
                f'{path}:1: no valid sample of split {self.split!r}'
                f'{reason}.')
        return data_list

    def get_gt_labels(self) -> List[int]:
        """Class indices (0..6) of all samples, in dataset order."""
        return [self.get_data_info(i)['gt_label'] for i in range(len(self))]
