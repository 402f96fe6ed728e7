"""LFW face attributes read from Kumar et al.'s ``lfw_attributes.txt``."""
import math
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import AnnotationError, InvalidRows, missing_image
from .celeba import AttributeSubset
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_three_way_args, three_way_names)

__all__ = ['LFWAttributes']

#: The first two columns of the header line (after ``#``).
HEADER_START = ('person', 'imagenum')
#: Default share of the people held out as the test split.
DEFAULT_TEST_RATIO = 0.5
SPLITS = ('train', 'val', 'test', 'all')

# One valid row: (line number, person, image number, raw scores).
_Row = Tuple[int, str, int, np.ndarray]


def _tab_fields(line: str) -> List[str]:
    """Tab-separated fields of a line, stripped, without trailing empty
    ones."""
    fields = [f.strip() for f in line.rstrip('\r\n').split('\t')]
    while fields and not fields[-1]:
        fields.pop()
    return fields


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@DATASETS.register_module()
class LFWAttributes(AttributeSubset, BaseDataset):
    """LFW face attributes (multi-label) from ``lfw_attributes.txt``.

    Reads the attribute file of Kumar et al. (Columbia's "LFW attributes",
    73 attributes per image of LFW) next to the LFW images::

        data_root/
          lfw_attributes.txt
          lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg ...

    The file is tab-separated. Lines starting with ``#`` are comments; one
    of them, before the first row, is the header ``#<TAB>person<TAB>
    imagenum<TAB>Male<TAB>Asian<TAB>...`` naming the attributes (names may
    hold spaces, e.g. ``Middle Aged``; their number is taken from the
    header, so any attribute set is read). Each row is ``<person><TAB>
    <imagenum><TAB><score>...``: the person's name with spaces (``Aaron
    Eckhart``), the image number (1, 2, ...) and one real-valued score per
    attribute. A score above 0 means present (the sign of the attribute
    classifier's output); 0 or below, absent. The image is
    ``data_prefix/<Name_With_Underscores>/<Name_With_Underscores>_
    <imagenum:04d>.jpg``, LFW's naming.

    The file has no split, so the protocol here is person-disjoint, seeded
    hold-outs (no person's images in two splits, as identity would
    otherwise leak between them): ``split='test'`` is a ``test_ratio``
    share of the people (by default half), ``split='val'`` a ``val_ratio``
    share of the other people and ``split='train'`` the rest, drawn by
    :func:`fbp_mm.datasets.splits.three_way_names` from the names alone
    (not from the order of the rows or from which images exist).
    ``split='all'`` keeps every row.

    Each sample carries ``img_path``, ``gt_label`` (the indices of the
    present attributes, MMPretrain's multi-label convention),
    ``gt_attributes`` (``np.int64`` 0 / 1, one per attribute) and
    ``attribute_scores`` (the file's ``np.float32`` scores), like
    :class:`CelebAAttributes`. ``metainfo['classes']`` holds the attribute
    names (those of the header, or ``attributes``).

    A missing header raises an :class:`AnnotationError` at line 1, a
    header with a repeated name at its line. A row without one score per
    attribute, an image number that is not a positive integer, a score
    that is not a finite number, an image listed twice (all checked on
    every row) or a missing image (checked for the chosen split only)
    raises an :class:`AnnotationError` whose message starts with
    ``file:line:``; with ``skip_invalid=True`` such rows are dropped and
    counted in one warning.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
            Defaults to ``'train'``.
        val_ratio (float): Share of the people left after the test
            hold-out that is held out as the validation split, in
            ``[0, 1)``. Defaults to 0.1.
        test_ratio (float): Share of the people held out as the test
            split, in ``[0, 1)``. Defaults to 0.5.
        split_seed (int): Seed of both hold-outs. Defaults to 0.
        attr_file (str): The attribute file, relative to ``data_root``
            unless absolute. Defaults to ``'lfw_attributes.txt'``.
        data_prefix (str | dict): LFW's image folder relative to
            ``data_root``. Defaults to ``'lfw'``.
        attributes (Sequence[str], optional): Names of the attributes to
            keep, in this order. Defaults to None (all, in file order).
        skip_invalid (bool): Skip bad rows with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='LFWAttributes', data_root='data/LFW',
        ...              split='train', attributes=['Male', 'Smiling'])
        >>> val = dict(train, split='val')
        >>> test = dict(train, split='test')  # half of the people
    """

    METAINFO = {'classes': ()}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 test_ratio: float = DEFAULT_TEST_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 attr_file: str = 'lfw_attributes.txt',
                 data_prefix: Union[str, dict] = 'lfw',
                 attributes: Optional[Sequence[str]] = None,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio, test_ratio = check_three_way_args(split, SPLITS,
                                                     val_ratio, test_ratio)
        attributes = self.check_attributes(attributes, kwargs)
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.split = split
        self.val_ratio = val_ratio
        self.test_ratio = test_ratio
        self.split_seed = int(split_seed)
        self.attributes = attributes
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=attr_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    @staticmethod
    def image_name(person: str, number: int) -> str:
        """LFW's path of image ``number`` of ``person``, e.g.
        ``Aaron_Eckhart/Aaron_Eckhart_0001.jpg``."""
        folder = person.replace(' ', '_')
        return osp.join(folder, f'{folder}_{number:04d}.jpg')

    # ----------------------------------------------------------- reading
    def _read(self, problems: InvalidRows) -> Tuple[List[str], List[_Row]]:
        """Attribute names and the valid rows of the attribute file."""
        path = self.attr_file
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Attribute file {path} (lfw_attributes.txt: a header '
                '"#\\tperson\\timagenum\\t<attributes>" then tab-separated '
                'rows of a name, an image number and scores) does not '
                'exist.')
        names: Optional[List[str]] = None
        rows: List[_Row] = []
        seen: Dict[Tuple[str, int], int] = {}
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, start=1):
                if line.startswith('#'):
                    fields = _tab_fields(line[1:])
                    if fields and not fields[0]:
                        fields = fields[1:]
                    if names is None and \
                            tuple(fields[:2]) == HEADER_START:
                        names = fields[2:]
                        self._check_names(names, f'{path}:{lineno}:')
                    continue
                fields = _tab_fields(line)
                if not fields:
                    continue
                if names is None:
                    raise AnnotationError(
                        f'{path}:{lineno}: a row before the header line '
                        '"#\\tperson\\timagenum\\t<attribute names>"')
                row = self._parse_row(fields, len(names))
                if isinstance(row, str):
                    problems.add(path, lineno, row)
                    continue
                person, number, scores = row
                if (person, number) in seen:
                    problems.add(
                        path, lineno, f'image {number} of "{person}" is '
                        f'listed twice (first on line '
                        f'{seen[(person, number)]})')
                    continue
                seen[(person, number)] = lineno
                rows.append((lineno, person, number, scores))
        if names is None:
            raise AnnotationError(
                f'{path}:1: no header line "#\\tperson\\timagenum\\t'
                '<attribute names>" (tab-separated)')
        return names, rows

    @staticmethod
    def _check_names(names: List[str], where: str) -> None:
        if not names or not all(names):
            raise AnnotationError(
                f'{where} expected the attribute names after "person" and '
                '"imagenum", separated by tabs')
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise AnnotationError(
                f'{where} attribute name(s) {repeated} appear twice')

    @staticmethod
    def _parse_row(fields: List[str], num_attributes: int
                   ) -> Union[str, Tuple[str, int, np.ndarray]]:
        """``(person, image number, scores)`` of a row, or why it is
        bad."""
        if len(fields) != 2 + num_attributes:
            return (f'expected a name, an image number and '
                    f'{num_attributes} scores separated by tabs, got '
                    f'{len(fields)} fields')
        person, number = fields[0], fields[1]
        if not person:
            return 'no person name'
        if not number.isdigit() or int(number) < 1:
            return f'image number {number!r} is not a positive integer'
        try:
            scores = [float(v) for v in fields[2:]]
        except ValueError:
            bad = next(v for v in fields[2:] if not _is_float(v))
            return f'score {bad!r} is not a number'
        if not all(math.isfinite(v) for v in scores):
            return 'a score is not finite'
        return person, int(number), np.array(scores, dtype=np.float32)

    def load_data_list(self) -> List[dict]:
        """Read the attribute file once, validating every row, then keep
        the people of ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., gt_label=[...],
            gt_attributes=array, attribute_scores=array)`` per image of
            the split, in file order.
        """
        problems = InvalidRows(self.skip_invalid)
        names, rows = self._read(problems)
        columns = self.attribute_columns(names)
        # None: every row (split 'all')
        keep = three_way_names([row[1] for row in rows], self.split,
                               self.val_ratio, self.test_ratio,
                               self.split_seed)
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        data_list = []
        for lineno, person, number, scores in rows:
            if keep is not None and person not in keep:
                continue
            img_path = osp.join(img_root, self.image_name(person, number))
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(self.attr_file, lineno, reason)
                continue
            scores = scores[columns]
            values = (scores > 0).astype(np.int64)
            data_list.append(
                dict(
                    img_path=img_path,
                    gt_label=[int(i) for i in np.flatnonzero(values)],
                    gt_attributes=values,
                    attribute_scores=scores))
        problems.warn(self.attr_file)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(
                f'{self.attr_file}:1: no valid sample of split '
                f'{self.split!r}{reason}.')
        return data_list

