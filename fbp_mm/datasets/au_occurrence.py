"""Facial action unit occurrence (BP4D, DISFA) read from per-frame lists."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import AnnotationError, InvalidRows, missing_image
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_holdout_args, holdout_names)

__all__ = ['BP4D_AUS', 'DISFA_AUS', 'AU_VALUES', 'AUOccurrenceList']

#: The 12 AUs of the BP4D occurrence protocol.
BP4D_AUS = ('AU1', 'AU2', 'AU4', 'AU6', 'AU7', 'AU10', 'AU12', 'AU14',
            'AU15', 'AU17', 'AU23', 'AU24')
#: The 8 AUs of the DISFA occurrence protocol.
DISFA_AUS = ('AU1', 'AU2', 'AU4', 'AU6', 'AU9', 'AU12', 'AU25', 'AU26')

#: Values of an AU cell: present, absent (0 or -1); 9 is "unknown".
AU_VALUES = {'1': 1, '0': 0, '-1': 0}
UNKNOWN_VALUE = '9'
SPLITS = ('train', 'val', 'test')

# One valid row: (file, line number, image path as listed, 0/1 values).
_Row = Tuple[str, int, str, np.ndarray]


def _looks_like_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@DATASETS.register_module()
class AUOccurrenceList(BaseDataset):
    """Facial action unit occurrence (multi-label) from per-frame lists.

    BP4D and DISFA ship no common list format (BP4D: one occurrence CSV
    per subject and task; DISFA: one intensity file per subject and AU),
    so converters write this one, the format this class reads::

        image AU1 AU2 AU4 AU6 ...
        F001/T1/0001.jpg 0 1 0 0 ...
        F001/T1/0002.jpg 0 1 1 0 ...

    - The first line that is not blank and not a ``#`` comment is the
      header: the name of the image column (any name, e.g. ``image``),
      then one name per AU column. The AU set is read from the header, so
      any AUs are read (:data:`BP4D_AUS`, :data:`DISFA_AUS` or others).
    - Then one row per frame: the image path relative to ``data_root /
      data_prefix``, then one value per AU column. Blank lines and lines
      starting with ``#`` are skipped.
    - Fields are separated by white space, or by commas when the header
      line holds a comma (a CSV without quoting; paths must not hold
      commas). The separator is detected per file.
    - Values: ``1`` present; ``0`` or ``-1`` absent; ``9`` unknown (not
      labeled, as BP4D's occurrence files write). An unknown value is a
      bad row unless ``unknown_as=0``, which reads it as absent (no mask of
      unlabeled AUs exists in MMPretrain's multi-label heads and metrics).
      Any other value is a bad row. For DISFA, converters write 1 where the
      intensity is at least 2 (the usual occurrence threshold).

    Several lists (``ann_file`` a list, e.g. two of BP4D's three subject
    folds for training, the third for testing) are read as one dataset;
    each file's columns are matched by name, so their order may differ.

    Splits: the lists are the dataset's protocol (subject-exclusive folds),
    and checkpoints must never be selected on the test fold. So
    ``split='val'`` holds out a seeded ``val_ratio`` share of the training
    lists (see :func:`fbp_mm.datasets.splits.holdout_split`) and
    ``split='train'`` is the rest; ``split='test'`` reads the lists in
    full. The hold-out is drawn over groups: the first ``group_depth``
    folders of the listed path (by default 1, the subject folder, so every
    frame of a subject lands on one side; neighbouring frames are nearly
    identical, and a frame-level hold-out would validate on copies of
    training frames). A path with no more folders than ``group_depth`` is
    its own group; ``group_depth=0`` draws single frames. The choice
    depends on the listed paths, the ratio and ``split_seed`` only.

    Each sample carries ``img_path``, ``gt_label`` (the list of indices of
    the present AUs, MMPretrain's multi-label convention that
    ``MultiLabelLinearClsHead`` and ``MultiLabelMetric`` read) and
    ``gt_aus`` (an ``np.int64`` array of 0 / 1, one per AU).
    ``metainfo['classes']`` holds the AU names (those of the first list's
    header, or ``aus``).

    A header without AU names, with a repeated or numeric name (a list
    without header) or lacking an AU of ``aus`` (or of the first list)
    raises an :class:`AnnotationError` at the header line. A row without
    one value per column, a value outside ``1, 0, -1`` (and ``9`` unless
    ``unknown_as=0``; only the columns read are checked), an image listed
    twice (in one list or across lists) and a missing image (checked for
    the chosen split only) raise an :class:`AnnotationError` whose message
    starts with ``file:line:``; with ``skip_invalid=True`` such rows are
    dropped and counted in one warning.

    Args:
        ann_file (str | Sequence[str]): The list(s), relative to
            ``data_root`` unless absolute.
        data_root (str): Root of the dataset. Defaults to ''.
        data_prefix (str | dict): Image folder relative to ``data_root``;
            a str or ``dict(img_path=...)``. Defaults to ''.
        split (str): ``'train'``, ``'val'`` (the hold-out of the lists) or
            ``'test'`` (the lists in full). Defaults to ``'train'``.
        val_ratio (float): Share of the groups held out as the validation
            split, in ``[0, 1)``; 0 trains on the whole lists. Defaults to
            0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        group_depth (int): Leading folders of a path that form its hold-out
            group. Defaults to 1.
        aus (Sequence[str], optional): Names of the AU columns to read, in
            this order (``classes``, ``gt_label`` indices and ``gt_aus``
            follow it). Defaults to None (every AU of the first list, in
            its order).
        unknown_as (int, optional): None: ``9`` is a bad value; 0: read it
            as absent. Defaults to None.
        skip_invalid (bool): Skip bad rows with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> folds = ['lists/fold1.txt', 'lists/fold2.txt']
        >>> train = dict(type='AUOccurrenceList', data_root='data/BP4D',
        ...              ann_file=folds, data_prefix='images',
        ...              aus=BP4D_AUS, split='train')
        >>> val = dict(train, split='val')  # 10% of the subjects
        >>> test = dict(train, ann_file='lists/fold3.txt', split='test')
    """

    METAINFO = {'classes': ()}

    def __init__(self,
                 ann_file: Union[str, Sequence[str]],
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 group_depth: int = 1,
                 aus: Optional[Sequence[str]] = None,
                 unknown_as: Optional[int] = None,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio = check_holdout_args(split, SPLITS, val_ratio)
        if unknown_as not in (None, 0):
            raise ValueError('unknown_as must be None (9 is a bad value) or '
                             f'0 (9 reads as absent), got {unknown_as!r}')
        if int(group_depth) != group_depth or group_depth < 0:
            raise ValueError('group_depth must be an integer >= 0, got '
                             f'{group_depth!r}')
        if aus is not None:
            if isinstance(aus, str):
                aus = [aus]
            aus = [str(a) for a in aus]
            if not aus:
                raise ValueError('aus is an empty list; give None to read '
                                 'every AU of the list.')
            repeated = sorted({a for a in aus if aus.count(a) > 1})
            if repeated:
                raise ValueError(f'aus names {repeated} twice.')
            metainfo = dict(kwargs.pop('metainfo', None) or {})
            metainfo['classes'] = tuple(aus)
            kwargs['metainfo'] = metainfo
        if isinstance(ann_file, (list, tuple)):
            if not ann_file:
                raise ValueError('ann_file is an empty list.')
            self._ann_files = [str(f) for f in ann_file]
        else:
            self._ann_files = [str(ann_file)]
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.split = split
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        self.group_depth = int(group_depth)
        self.aus = aus
        self.unknown_as = unknown_as
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=self._ann_files[0],
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    @property
    def ann_files(self) -> List[str]:
        """All lists, joined with ``data_root`` like ``ann_file``."""
        return [
            f if osp.isabs(f) or not self.data_root else osp.join(
                self.data_root, f) for f in self._ann_files
        ]

    def group_of(self, path: str) -> str:
        """Hold-out group of a listed path: its first ``group_depth``
        folders (``'F001/T1/0001.jpg'`` is in group ``'F001'``)."""
        parts = path.replace('\\', '/').split('/')
        if self.group_depth == 0 or len(parts) <= self.group_depth:
            return path
        return '/'.join(parts[:self.group_depth])

    # ----------------------------------------------------------- reading
    def _parse_value(self, text: str, au: str) -> Union[int, str]:
        """0 / 1 of one cell, or why it is bad."""
        if text in AU_VALUES:
            return AU_VALUES[text]
        if text == UNKNOWN_VALUE:
            if self.unknown_as is not None:
                return self.unknown_as
            return (f'{au} is 9 (unknown / not labeled); set unknown_as=0 '
                    'to read it as absent')
        return f'{au} value {text!r} is not 1, 0, -1 or 9'

    def _read_list(self, path: str, classes: Optional[List[str]],
                   problems: InvalidRows,
                   seen: Dict[str, Tuple[str, int]]
                   ) -> Tuple[List[str], List[_Row]]:
        """The AU names read (``classes``, or the header's when None) and
        the valid rows of one list."""
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'AU list {path} (a header "image AU1 AU2 ..." then '
                '"<image> <0|1> ..." rows) does not exist.')
        rows: List[_Row] = []
        header: Optional[List[str]] = None
        columns: List[int] = []
        sep: Optional[str] = None
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, start=1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                if header is None:
                    sep = ',' if ',' in line else None
                    header = [h.strip() for h in line.split(sep)]
                    classes, columns = self._header_columns(
                        header, classes, f'{path}:{lineno}:')
                    continue
                fields = [v.strip() for v in line.split(sep)]
                if len(fields) != len(header):
                    problems.add(
                        path, lineno, f'expected an image and '
                        f'{len(header) - 1} values (one per AU column of '
                        f'the header), got {len(fields)} fields')
                    continue
                name = fields[0]
                values = [
                    self._parse_value(fields[c], au)
                    for c, au in zip(columns, classes)
                ]
                bad = next((v for v in values if isinstance(v, str)), None)
                if bad is not None:
                    problems.add(path, lineno, bad)
                    continue
                if name in seen:
                    first_file, first_line = seen[name]
                    first = (f'line {first_line}' if first_file == path
                             else f'{first_file}:{first_line}')
                    problems.add(path, lineno, f'"{name}" is listed twice '
                                 f'(first on {first})')
                    continue
                seen[name] = (path, lineno)
                rows.append(
                    (path, lineno, name, np.array(values, dtype=np.int64)))
        if header is None:
            raise AnnotationError(
                f'{path}:1: no header line; expected "image AU1 AU2 ..." '
                'before the rows.')
        return classes, rows

    @staticmethod
    def _header_columns(header: List[str], classes: Optional[List[str]],
                        where: str) -> Tuple[List[str], List[int]]:
        """Check a header; return the AU names read and their columns."""
        names = header[1:]
        if not names or not all(names):
            raise AnnotationError(
                f'{where} expected a header "image AU1 AU2 ..." (the image '
                f'column, then one name per AU column), got {header}')
        numeric = [n for n in names if _looks_like_number(n)]
        if numeric:
            raise AnnotationError(
                f'{where} the list has no header: {numeric[0]!r} is a '
                'value, not an AU name; the first line must be "image AU1 '
                'AU2 ..."')
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise AnnotationError(
                f'{where} AU name(s) {repeated} appear twice in the header')
        if classes is None:
            classes = list(names)
        missing = [a for a in classes if a not in names]
        if missing:
            raise AnnotationError(
                f'{where} no column for AU(s) {missing}; the header has '
                f'{names}')
        return classes, [1 + names.index(a) for a in classes]

    def load_data_list(self) -> List[dict]:
        """Read the list(s) once, validating every row, then keep the part
        of ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., gt_label=[...],
            gt_aus=array)`` per frame of the split, in list order.
        """
        problems = InvalidRows(self.skip_invalid)
        classes = list(self.aus) if self.aus is not None else None
        seen: Dict[str, Tuple[str, int]] = {}
        rows: List[_Row] = []
        for path in self.ann_files:
            classes, file_rows = self._read_list(path, classes, problems,
                                                 seen)
            rows += file_rows
        self._metainfo['classes'] = tuple(classes)
        # None: every row (split 'test', or val_ratio=0)
        keep = holdout_names([self.group_of(row[2]) for row in rows],
                             self.split, self.val_ratio, self.split_seed)
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        data_list = []
        for path, lineno, name, values in rows:
            if keep is not None and self.group_of(name) not in keep:
                continue
            img_path = osp.join(img_root, name)
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(path, lineno, reason)
                continue
            data_list.append(
                dict(
                    img_path=img_path,
                    gt_label=[int(i) for i in np.flatnonzero(values)],
                    gt_aus=values))
        problems.warn(', '.join(self.ann_files))
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(
                f'{self.ann_files[0]}:1: no valid frame of split '
                f'{self.split!r}{reason}.')
        return data_list

    # ----------------------------------------------------------- access
    def get_gt_aus(self) -> np.ndarray:
        """``(num_samples, num_aus)`` 0 / 1 array, dataset order."""
        return np.stack(
            [self.get_data_info(i)['gt_aus'] for i in range(len(self))])
