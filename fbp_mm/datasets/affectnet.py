"""AffectNet expressions read from the official CSV lists."""
import csv
import logging
import math
import os.path as osp
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

from .annotations import AnnotationError, InvalidRows, missing_image
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_holdout_args, holdout_names)

__all__ = [
    'AFFECTNET_COLUMNS', 'AFFECTNET_EXPRESSIONS', 'AFFECTNET_DROPPED',
    'AffectNet'
]

#: Columns of ``training.csv`` / ``validation.csv``, in file order.
AFFECTNET_COLUMNS = ('subDirectory_filePath', 'face_x', 'face_y',
                     'face_width', 'face_height', 'facial_landmarks',
                     'expression', 'valence', 'arousal')
#: Expression codes 0..7; with ``num_classes=7`` contempt (7) is dropped.
AFFECTNET_EXPRESSIONS = ('neutral', 'happy', 'sad', 'surprise', 'fear',
                         'disgust', 'anger', 'contempt')
#: Codes 8..10, never an expression class: dropped, counted, not errors.
AFFECTNET_DROPPED = {8: 'none', 9: 'uncertain', 10: 'no-face'}
LIST_DIR = 'Manually_Annotated_file_lists'
_CODES = {str(k) for k in range(11)}
SPLITS = ('train', 'val', 'test')

# One valid row: (line number, image path as listed, label code, sample).
_Row = Tuple[int, str, int, dict]


@DATASETS.register_module()
class AffectNet(BaseDataset):
    """AffectNet expressions (7 or 8 classes) from the official CSV lists.

    Expects the layout of the released archive under ``data_root``::

        data_root/
          Manually_Annotated_file_lists/training.csv
          Manually_Annotated_file_lists/validation.csv
          Manually_Annotated_Images/689/737db2483489148d783e....jpg ...

    Each CSV has the header ``subDirectory_filePath,face_x,face_y,
    face_width,face_height,facial_landmarks,expression,valence,arousal``,
    then one row per image: its path relative to the image folder, the
    face box (left, top, width, height in pixels), the 68 landmarks as
    ``x0;y0;x1;y1;...`` (136 numbers separated by semicolons; may be
    empty), the expression code and the valence and arousal. A file whose
    first row is data (some copies of ``validation.csv`` lack the header)
    is read in the column order above. Expression codes: 0 neutral,
    1 happy, 2 sad, 3 surprise, 4 fear, 5 disgust, 6 anger, 7 contempt;
    8 none, 9 uncertain and 10 no-face are no expression: such rows are
    dropped (counted per code in ``self.dropped`` and logged once, not
    errors), and so is contempt with ``num_classes=7``.

    Splits: AffectNet's test set is not public, so papers report on its
    validation set, and so ``split='test'`` reads ``validation.csv``, to be
    evaluated once at the end. Checkpoints are selected on ``split='val'``:
    a seeded ``val_ratio`` share of ``training.csv`` (see
    :func:`fbp_mm.datasets.splits.holdout_split`), drawn over the paths of
    all valid rows whatever their code, so the hold-out does not depend on
    ``num_classes`` or on which images exist; ``split='train'`` is the rest
    of ``training.csv``. With ``val_ratio=0`` the training split is the
    whole of ``training.csv``; ``split='val'`` then raises a ``ValueError``.

    Samples carry ``img_path`` (``data_prefix`` joined with
    ``subDirectory_filePath``), ``gt_label`` (int, the expression code),
    ``face_box`` (float32 ``(x1, y1, x2, y2)``: ``face_x``, ``face_y``,
    ``face_x + face_width``, ``face_y + face_height``),
    ``gt_valence_arousal`` (float32 ``(2,)``) and, when the row has them
    and ``with_landmarks``, ``face_landmarks`` (float32 ``(68, 2)``). The
    images are whole pictures: ``face_box`` and ``face_landmarks`` use the
    keys of fbp_mm's face transforms, so ``CropFaceBox`` crops the face.
    ``metainfo['classes']`` holds the first ``num_classes`` names of
    :data:`AFFECTNET_EXPRESSIONS`.

    A header other than the official one, a row without 9 fields, a face
    box value or valence / arousal that is not a finite number, a face
    width or height that is not positive, landmarks that are not 136
    finite numbers (checked when ``with_landmarks``), an expression code
    that is not an integer 0..10, an image listed twice (all checked on
    every row) or a missing image (checked for the kept rows of the chosen
    split only) raises an :class:`AnnotationError` whose message starts
    with ``file:line:``; with ``skip_invalid=True`` such rows are dropped
    and counted in one warning.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'`` (both from ``training.csv``, see
            above) or ``'test'`` (``validation.csv``). Defaults to
            ``'train'``.
        num_classes (int): 8, or 7 to drop contempt. Defaults to 8.
        val_ratio (float): Share of ``training.csv`` held out as the
            validation split, in ``[0, 1)``. Defaults to 0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        ann_file (str, optional): A CSV in the same format, relative to
            ``data_root`` unless absolute, read instead of the official
            list of the split. Defaults to None
            (``Manually_Annotated_file_lists/training.csv`` for ``'train'``
            and ``'val'``, ``.../validation.csv`` for ``'test'``).
        data_prefix (str | dict): Image folder relative to ``data_root``.
            Defaults to ``'Manually_Annotated_Images'``.
        with_landmarks (bool): Read the landmarks into ``face_landmarks``
            (about 0.5 KB a sample). Defaults to True.
        skip_invalid (bool): Skip bad rows with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='AffectNet', data_root='data/AffectNet',
        ...              num_classes=7, split='train')
        >>> val = dict(train, split='val')  # 10% of training.csv
        >>> test = dict(train, split='test')  # validation.csv
    """

    METAINFO = {'classes': AFFECTNET_EXPRESSIONS}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 num_classes: int = 8,
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 ann_file: Optional[str] = None,
                 data_prefix: Union[str, dict] = 'Manually_Annotated_Images',
                 with_landmarks: bool = True,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio = check_holdout_args(split, SPLITS, val_ratio)
        if num_classes not in (7, 8):
            raise ValueError('num_classes must be 8, or 7 (without '
                             f'contempt), got {num_classes!r}')
        if not ann_file:
            name = 'validation.csv' if split == 'test' else 'training.csv'
            ann_file = osp.join(LIST_DIR, name)
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo['classes'] = AFFECTNET_EXPRESSIONS[:num_classes]
        self.split = split
        self.num_classes = int(num_classes)
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        self.with_landmarks = bool(with_landmarks)
        self.skip_invalid = skip_invalid
        #: ``{code name: count}`` of the rows of the split that were dropped
        #: for their code (none, uncertain, no-face; contempt with 7
        #: classes).
        self.dropped: Dict[str, int] = {}
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            metainfo=metainfo,
            **kwargs)

    # ----------------------------------------------------------- reading
    def _parse_row(self, row: List[str]) -> Union[str, Tuple[int, dict]]:
        """The code and sample (without ``img_path``) of one row, or why
        it is bad."""
        if len(row) != len(AFFECTNET_COLUMNS):
            return (f'expected {len(AFFECTNET_COLUMNS)} comma-separated '
                    f'fields ({",".join(AFFECTNET_COLUMNS)}), got {len(row)}')
        row = [cell.strip() for cell in row]
        if not row[0]:
            return 'no image path (subDirectory_filePath)'
        numbers = []
        for column, text in zip(AFFECTNET_COLUMNS[1:5], row[1:5]):
            try:
                value = float(text)
            except ValueError:
                return f'{column} {text!r} is not a number'
            if not math.isfinite(value):
                return f'{column} {text!r} is not finite'
            numbers.append(value)
        x, y, width, height = numbers
        if width <= 0 or height <= 0:
            return (f'the face box is {width:g} x {height:g}; face_width '
                    'and face_height must be positive')
        code = row[6]
        if code not in _CODES:
            return f'expression {code!r} is not an integer 0..10'
        valence_arousal = []
        for column, text in zip(AFFECTNET_COLUMNS[7:], row[7:]):
            try:
                value = float(text)
            except ValueError:
                return f'{column} {text!r} is not a number'
            if not math.isfinite(value):
                return f'{column} {text!r} is not finite'
            valence_arousal.append(value)
        sample = dict(
            face_box=np.array([x, y, x + width, y + height],
                                 dtype=np.float32),
            gt_valence_arousal=np.array(valence_arousal, dtype=np.float32))
        if self.with_landmarks and row[5]:
            texts = row[5].strip(';').split(';')
            if len(texts) != 136:
                return ('expected 136 facial_landmarks values (68 x;y '
                        f'pairs), got {len(texts)}')
            try:
                points = np.array(texts, dtype=np.float32)
            except ValueError:
                return 'a facial_landmarks value is not a number'
            if not np.isfinite(points).all():
                return 'a facial_landmarks value is not finite'
            sample['face_landmarks'] = points.reshape(68, 2)
        return int(code), sample

    def _read_rows(self, path: str, problems: InvalidRows) -> List[_Row]:
        """The valid rows of the CSV; bad rows go to ``problems``."""
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'AffectNet list {path} (the official CSV, header '
                f'"{",".join(AFFECTNET_COLUMNS)}") does not exist.')
        rows: List[_Row] = []
        seen: Dict[str, int] = {}
        with open(path, newline='', encoding='utf-8') as f:
            reader = csv.reader(f)
            for row in reader:
                lineno = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if lineno == 1 and row[0].strip() == AFFECTNET_COLUMNS[0]:
                    header = tuple(cell.strip() for cell in row)
                    if header != AFFECTNET_COLUMNS:
                        raise AnnotationError(
                            f'{path}:1: expected the header '
                            f'"{",".join(AFFECTNET_COLUMNS)}", got '
                            f'"{",".join(header)}"')
                    continue
                parsed = self._parse_row(row)
                if isinstance(parsed, str):
                    problems.add(path, lineno, parsed)
                    continue
                name = row[0].strip()
                if name in seen:
                    problems.add(path, lineno, f'"{name}" is listed twice '
                                 f'(first on line {seen[name]})')
                    continue
                seen[name] = lineno
                rows.append((lineno, name, *parsed))
        return rows

    def load_data_list(self) -> List[dict]:
        """Read the CSV once, validating every row, then keep the
        expression rows of ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., gt_label=int,
            face_box=(4,), gt_valence_arousal=(2,)[,
            face_landmarks=(68, 2)])`` per image of the split, in list
            order.
        """
        path = self.ann_file
        problems = InvalidRows(self.skip_invalid)
        rows = self._read_rows(path, problems)
        # None: every row (split 'test', or val_ratio=0)
        keep = holdout_names([row[1] for row in rows], self.split,
                             self.val_ratio, self.split_seed)
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        dropped: Dict[str, int] = {}
        data_list = []
        for lineno, name, code, sample in rows:
            if keep is not None and name not in keep:
                continue
            if code >= self.num_classes:
                label = AFFECTNET_DROPPED.get(code, AFFECTNET_EXPRESSIONS[-1])
                dropped[label] = dropped.get(label, 0) + 1
                continue
            img_path = osp.join(img_root, name)
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(path, lineno, reason)
                continue
            data_list.append(dict(img_path=img_path, gt_label=code, **sample))
        self.dropped = dropped
        if dropped:
            counts = ', '.join(f'{n}: {c}' for n, c in dropped.items())
            print_log(
                f'AffectNet: dropped {sum(dropped.values())} row(s) of '
                f'split {self.split!r} of {path} whose code is no '
                f'{self.num_classes}-class expression ({counts})',
                logger='current',
                level=logging.INFO)
        problems.warn(path)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(
                f'{path}:1: no valid sample of split {self.split!r}'
                f'{reason}.')
        return data_list

    def get_gt_labels(self) -> List[int]:
        """Class indices of all samples, in dataset order."""
        return [self.get_data_info(i)['gt_label'] for i in range(len(self))]
