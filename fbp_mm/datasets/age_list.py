"""Age regression sets whose ages are in the image file names: AgeDB and
UTKFace."""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import (IMAGE_EXTENSIONS, AnnotationError, InvalidRows,
                          missing_image)
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_three_way_args, three_way_names)

__all__ = ['AGEDB_AGE_RANGE', 'UTKFACE_AGE_RANGE', 'AgeDB', 'UTKFaceAges']

#: Ages of AgeDB (1 to 101 years).
AGEDB_AGE_RANGE = (1, 101)
#: Ages of UTKFace (0 to 116 years).
UTKFACE_AGE_RANGE = (0, 116)
#: Default share of the images (or people) held out as the test split.
DEFAULT_TEST_RATIO = 0.2
SPLITS = ('train', 'val', 'test', 'all')

# ``<id>_<name>_<age>_<gender>``: the name may hold underscores.
_AGEDB_STEM = re.compile(r'^(\d+)_(.+)_(\d+)_([mMfF])$')
# ``<age>_<gender>_<race>_<datetime>``.
_UTKFACE_CORE = re.compile(r'^(\d+)_([01])_([0-4])_(\d+)$')
_UTKFACE_CHIP = '.chip.jpg'

# One valid name: (list file or '', line number or None, path as listed,
# group key, parsed fields).
_Row = Tuple[str, Optional[int], str, str, dict]


class _AgesInFileNames(BaseDataset):
    """Images whose age is in the file name, listed by a folder or a list
    of names; seeded train / val / test hold-outs.

    Subclasses set :attr:`NAME_FORMAT` and implement :meth:`parse_name`
    (and :meth:`group_of` to keep groups of images on one side).
    """

    #: The file name pattern, as error messages show it.
    NAME_FORMAT = ''

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 test_ratio: float = DEFAULT_TEST_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 ann_file: Optional[str] = None,
                 data_prefix: Union[str, dict] = '',
                 age_range: Tuple[float, float] = (0, 120),
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio, test_ratio = check_three_way_args(split, SPLITS,
                                                     val_ratio, test_ratio)
        low, high = age_range
        if not low <= high:
            raise ValueError(f'age_range must be (low, high), got '
                             f'{age_range}')
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        metainfo['age_range'] = (low, high)
        self.split = split
        self.val_ratio = val_ratio
        self.test_ratio = test_ratio
        self.split_seed = int(split_seed)
        self.age_range = (low, high)
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=ann_file or '',
            data_root=data_root,
            data_prefix=data_prefix,
            metainfo=metainfo,
            **kwargs)

    @property
    def ann_files(self) -> List[str]:
        """The list of names, if one is read (for recipe fingerprints)."""
        return [self.ann_file] if self.ann_file else []

    def parse_name(self, name: str) -> Union[str, dict]:
        """The fields of a file name (``age`` at least), or why it is
        bad."""
        raise NotImplementedError

    def group_of(self, path: str, fields: dict) -> str:
        """Hold-out key of an image; every image of a key lands on one
        side. Defaults to the path itself."""
        return path

    # ----------------------------------------------------------- reading
    def _names(self, img_root: str,
               problems: InvalidRows) -> List[Tuple[str, Optional[int], str]]:
        """``(file, line, path)`` of each listed image: the rows of the
        list of names, or the images of the folder (line None)."""
        if self.ann_file:
            path = self.ann_file
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f'List of image names {path} (one file name per line) '
                    'does not exist.')
            names = []
            seen: Dict[str, int] = {}
            with open(path, encoding='utf-8') as f:
                for lineno, line in enumerate(f, start=1):
                    fields = line.split()
                    if not fields or fields[0].startswith('#'):
                        continue
                    if len(fields) != 1:
                        problems.add(
                            path, lineno, 'expected one image name per '
                            f'line, got {len(fields)} fields')
                        continue
                    if fields[0] in seen:
                        problems.add(
                            path, lineno, f'"{fields[0]}" is listed twice '
                            f'(first on line {seen[fields[0]]})')
                        continue
                    seen[fields[0]] = lineno
                    names.append((path, lineno, fields[0]))
            return names
        if not osp.isdir(img_root):
            raise FileNotFoundError(
                f'Image folder {img_root} (images named '
                f'{self.NAME_FORMAT}) does not exist.')
        return [('', None, name) for name in sorted(os.listdir(img_root))
                if not name.startswith('.')
                and name.lower().endswith(IMAGE_EXTENSIONS)]

    def load_data_list(self) -> List[dict]:
        """Parse every name once, validating it, then keep the part of
        ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., gt_score=array([age]), ...)``
            per image of the split, in list (or sorted file name) order.
        """
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        problems = InvalidRows(self.skip_invalid)
        low, high = self.age_range
        rows: List[_Row] = []
        for list_file, lineno, name in self._names(img_root, problems):
            fields = self.parse_name(osp.basename(name))
            if not isinstance(fields, str) and not \
                    low <= fields['age'] <= high:
                fields = (f'age {fields["age"]} of "{osp.basename(name)}" '
                          f'is outside the range [{low:g}, {high:g}]')
            if isinstance(fields, str):
                problems.add(list_file or osp.join(img_root, name), lineno,
                             fields)
                continue
            rows.append((list_file, lineno, name,
                         self.group_of(name, fields), fields))
        # None: every image (split 'all')
        keep = three_way_names([row[3] for row in rows], self.split,
                               self.val_ratio, self.test_ratio,
                               self.split_seed)
        data_list = []
        for list_file, lineno, name, group, fields in rows:
            if keep is not None and group not in keep:
                continue
            img_path = osp.join(img_root, name)
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(list_file or img_path, lineno, reason)
                continue
            fields = dict(fields)
            age = fields.pop('age')
            data_list.append(
                dict(
                    img_path=img_path,
                    gt_score=np.array([age], dtype=np.float32),
                    **fields))
        source = self.ann_file or img_root
        problems.warn(source)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            where = f'{source}:1' if self.ann_file else source
            raise AnnotationError(
                f'{where}: no valid image of split {self.split!r}'
                f'{reason}.')
        return data_list

    # ----------------------------------------------------------- access
    def get_gt_scores(self) -> np.ndarray:
        """``(num_samples,)`` float32 ages, dataset order."""
        return np.array(
            [self.get_data_info(i)['gt_score'][0] for i in range(len(self))],
            dtype=np.float32)


@DATASETS.register_module()
class AgeDB(_AgesInFileNames):
    """AgeDB ages (regression) parsed from the image file names.

    Expects the released images in one folder, named
    ``<id>_<name>_<age>_<gender>.jpg`` (e.g. ``0_MariaCallas_35_f.jpg``;
    gender ``m`` / ``f``; the name may hold underscores: the age and the
    gender are the last two fields). Either every image of the folder
    ``data_root / data_prefix`` is read (sorted by name; files whose name
    does not end in an image extension, and hidden files, are ignored), or
    the names of a list file ``ann_file`` (one per line, relative to that
    folder; blank lines and ``#`` comments are skipped).

    AgeDB has no official age-estimation split (its 10 folds are for face
    verification), so the protocol here is identity-disjoint, seeded
    hold-outs: ``split='test'`` is a ``test_ratio`` share of the people
    (the ``<name>`` field), ``split='val'`` a ``val_ratio`` share of the
    other people and ``split='train'`` the rest, drawn by
    :func:`fbp_mm.datasets.splits.three_way_names` from the names alone
    (with ``by_identity=False``, from the image file names: a person's
    images may then sit in several splits). ``split='all'`` keeps every
    image (e.g. a list of names that already is one split).

    Each sample carries ``img_path``, ``gt_score`` (``np.float32`` array
    ``[age]``: the regression convention of fbp_mm, which ``PackInputs``
    packs as a 1-D float tensor), ``identity`` and ``gender`` (``'m'`` /
    ``'f'``). ``metainfo['age_range']`` is ``age_range``.

    A file name not in that pattern or with an age outside ``age_range``
    raises an :class:`AnnotationError` whose message starts with the image
    path (``"<folder>/<name>: ..."``) when the folder is read, and with
    ``<list>:<line>:`` when a list is read; a line of the list without
    exactly one name, a name listed twice or a missing image (checked for
    the chosen split only) is a bad row too. With ``skip_invalid=True``
    bad names are dropped and counted in one warning.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
            Defaults to ``'train'``.
        val_ratio (float): Share of the people left after the test
            hold-out that is held out as the validation split, in
            ``[0, 1)``. Defaults to 0.1.
        test_ratio (float): Share of the people held out as the test
            split, in ``[0, 1)``. Defaults to 0.2.
        split_seed (int): Seed of both hold-outs. Defaults to 0.
        ann_file (str, optional): A list of image names, relative to
            ``data_root`` unless absolute. Defaults to None (every image of
            the folder).
        data_prefix (str | dict): Image folder relative to ``data_root``.
            Defaults to ''.
        by_identity (bool): Draw the hold-outs over people rather than
            images. Defaults to True.
        age_range (tuple[float, float]): Inclusive valid ages. Defaults to
            :data:`AGEDB_AGE_RANGE` (1, 101).
        skip_invalid (bool): Skip bad names with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='AgeDB', data_root='data/AgeDB',
        ...              split='train')
        >>> val = dict(train, split='val')
        >>> test = dict(train, split='test')  # 20% of the people
    """

    NAME_FORMAT = '<id>_<name>_<age>_<gender m|f>.jpg'
    METAINFO = {'age_range': AGEDB_AGE_RANGE}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 test_ratio: float = DEFAULT_TEST_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 ann_file: Optional[str] = None,
                 data_prefix: Union[str, dict] = '',
                 by_identity: bool = True,
                 age_range: Tuple[float, float] = AGEDB_AGE_RANGE,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        self.by_identity = bool(by_identity)
        super().__init__(
            data_root=data_root,
            split=split,
            val_ratio=val_ratio,
            test_ratio=test_ratio,
            split_seed=split_seed,
            ann_file=ann_file,
            data_prefix=data_prefix,
            age_range=age_range,
            skip_invalid=skip_invalid,
            **kwargs)

    def parse_name(self, name: str) -> Union[str, dict]:
        """``dict(age, identity, gender)`` of ``<id>_<name>_<age>_<gender>
        .jpg``, or why the name is bad."""
        stem, ext = osp.splitext(name)
        match = _AGEDB_STEM.match(stem)
        if match is None or ext.lower() not in IMAGE_EXTENSIONS:
            return f'file name "{name}" is not {self.NAME_FORMAT}'
        return dict(
            age=int(match.group(3)),
            identity=match.group(2),
            gender=match.group(4).lower())

    def group_of(self, path: str, fields: dict) -> str:
        """The person (``<name>`` field) when ``by_identity``, else the
        path."""
        return fields['identity'] if self.by_identity else path


@DATASETS.register_module()
class UTKFaceAges(_AgesInFileNames):
    """UTKFace ages (regression) parsed from the image file names.

    Expects the released images in one folder (``UTKFace/``, the aligned
    and cropped faces, named ``<age>_<gender>_<race>_<datetime>.jpg.chip
    .jpg``; or one of the in-the-wild folders ``part1/`` ... named
    ``<age>_<gender>_<race>_<datetime>.jpg``; gender 0 / 1, race 0..4).
    Either every image of the folder ``data_root / data_prefix`` is read
    (sorted by name; non-image and hidden files are ignored), or the names
    of a list file ``ann_file`` (one per line, relative to that folder).
    A few names of the public release are reported to lack a field (the
    race); they are bad names: ``skip_invalid=True`` drops them with one
    counted warning. A list of ``path age`` rows (a converter's own split)
    is read by :class:`ScoreListDataset` instead, which reads
    ``path score`` text lists as they are.

    UTKFace has no official split and no identities, so the protocol here
    is seeded image-level hold-outs (the common 80 / 20 protocol, with a
    validation part taken from the 80): ``split='test'`` is a
    ``test_ratio`` share of the images, ``split='val'`` a ``val_ratio``
    share of the other images and ``split='train'`` the rest, drawn by
    :func:`fbp_mm.datasets.splits.three_way_names` from the file names
    alone. ``split='all'`` keeps every image.

    Each sample carries ``img_path``, ``gt_score`` (``np.float32`` array
    ``[age]``), ``gender`` (0 / 1) and ``race`` (0..4).
    ``metainfo['age_range']`` is ``age_range``.

    Bad names are reported as by :class:`AgeDB`: the image path
    (``"<folder>/<name>: ..."``) when the folder is read, ``<list>:<line>:``
    when a list is read.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
            Defaults to ``'train'``.
        val_ratio (float): Share of the images left after the test
            hold-out that is held out as the validation split, in
            ``[0, 1)``. Defaults to 0.1.
        test_ratio (float): Share of the images held out as the test split,
            in ``[0, 1)``. Defaults to 0.2.
        split_seed (int): Seed of both hold-outs. Defaults to 0.
        ann_file (str, optional): A list of image names, relative to
            ``data_root`` unless absolute. Defaults to None (every image of
            the folder).
        data_prefix (str | dict): Image folder relative to ``data_root``.
            Defaults to ``'UTKFace'``.
        age_range (tuple[float, float]): Inclusive valid ages. Defaults to
            :data:`UTKFACE_AGE_RANGE` (0, 116).
        skip_invalid (bool): Skip bad names with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='UTKFaceAges', data_root='data/UTKFace',
        ...              data_prefix='UTKFace', split='train',
        ...              skip_invalid=True)
        >>> test = dict(train, split='test')  # 20% of the images
        >>> # a converter's own "path age" list:
        >>> listed = dict(type='ScoreListDataset', data_root='data/UTKFace',
        ...               ann_file='train.txt', data_prefix='UTKFace',
        ...               score_range=(0, 116))
    """

    NAME_FORMAT = ('<age>_<gender 0|1>_<race 0-4>_<datetime>.jpg '
                   '(or .jpg.chip.jpg)')
    METAINFO = {'age_range': UTKFACE_AGE_RANGE}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 test_ratio: float = DEFAULT_TEST_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 ann_file: Optional[str] = None,
                 data_prefix: Union[str, dict] = 'UTKFace',
                 age_range: Tuple[float, float] = UTKFACE_AGE_RANGE,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        super().__init__(
            data_root=data_root,
            split=split,
            val_ratio=val_ratio,
            test_ratio=test_ratio,
            split_seed=split_seed,
            ann_file=ann_file,
            data_prefix=data_prefix,
            age_range=age_range,
            skip_invalid=skip_invalid,
            **kwargs)

    def parse_name(self, name: str) -> Union[str, dict]:
        """``dict(age, gender, race)`` of ``<age>_<gender>_<race>_<datetime>
        .jpg[.chip.jpg]``, or why the name is bad."""
        core = name
        if core.lower().endswith(_UTKFACE_CHIP):
            core = core[:-len(_UTKFACE_CHIP)]
        core, ext = osp.splitext(core)
        match = _UTKFACE_CORE.match(core)
        if match is None or ext.lower() not in IMAGE_EXTENSIONS:
            return f'file name "{name}" is not {self.NAME_FORMAT}'
        return dict(
            age=int(match.group(1)),
            gender=int(match.group(2)),
            race=int(match.group(3)))
