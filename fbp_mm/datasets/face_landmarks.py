"""Face landmark benchmarks (300W, WFLW) read from their official files."""
import os.path as osp
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from ..faces.landmarks import FLIP_PAIRS_68
from .annotations import (AnnotationError, InvalidRows, missing_image,
                          read_landmarks, read_partition)
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_holdout_args, holdout_names)

__all__ = [
    'FLIP_PAIRS_98', 'WFLW_ATTRIBUTES', 'read_pts', 'Face300W', 'WFLW',
    'FaceLandmarkList'
]


def _wflw_flip_pairs() -> List[Tuple[int, int]]:
    pairs = [(i, 32 - i) for i in range(16)]  # contour, 16 is the chin
    pairs += [(33, 46), (34, 45), (35, 44), (36, 43), (37, 42),  # brows
              (38, 50), (39, 49), (40, 48), (41, 47)]
    pairs += [(55, 59), (56, 58)]  # nose base; 51-54 and 57 stay
    pairs += [(60, 72), (61, 71), (62, 70), (63, 69), (64, 68),  # eyes
              (65, 75), (66, 74), (67, 73)]
    pairs += [(76, 82), (77, 81), (78, 80), (83, 87), (84, 86),  # mouth
              (88, 92), (89, 91), (93, 95)]
    pairs += [(96, 97)]  # pupils
    return pairs


#: Index pairs of the 98 WFLW points that swap under a horizontal flip.
FLIP_PAIRS_98 = _wflw_flip_pairs()

#: The six 0 / 1 attributes of a WFLW row, in file order.
WFLW_ATTRIBUTES = ('pose', 'expression', 'illumination', 'make_up',
                   'occlusion', 'blur')

#: WFLW list folder inside ``data_root``.
WFLW_LIST_DIR = osp.join('WFLW_annotations', 'list_98pt_rect_attr_train_test')


def _parse_pts(path: str,
               num_points: int) -> Union[np.ndarray, Tuple[int, str]]:
    """The ``(num_points, 2)`` points of a ``.pts`` file, or ``(line,
    reason)`` saying what is wrong with it."""
    with open(path, encoding='utf-8-sig') as f:
        lines = [line.strip() for line in f.read().splitlines()]

    def line(i: int) -> str:
        return lines[i] if i < len(lines) else ''

    if line(0).split() != ['version:', '1']:
        return 1, f'expected "version: 1", got {line(0)!r}'
    header = line(1).split()
    if len(header) != 2 or header[0] != 'n_points:':
        return 2, f'expected "n_points: {num_points}", got {line(1)!r}'
    if header[1] != str(num_points):
        return 2, f'n_points is {header[1]}, expected {num_points}'
    if line(2) != '{':
        return 3, f'expected "{{", got {line(2)!r}'
    points = np.zeros((num_points, 2), np.float32)
    for k in range(num_points):
        lineno = 4 + k
        text = line(lineno - 1)
        if lineno > len(lines):
            return lineno, f'the file ends after {k} of {num_points} points'
        fields = text.split()
        if len(fields) != 2:
            return lineno, f'expected "x y", got {text!r}'
        try:
            points[k] = [float(fields[0]), float(fields[1])]
        except ValueError:
            return lineno, f'a coordinate of {text!r} is not a number'
        if not np.isfinite(points[k]).all():
            return lineno, f'a coordinate of {text!r} is not finite'
    end = 4 + num_points
    if line(end - 1) != '}':
        got = repr(line(end - 1)) if end <= len(lines) else 'the end of file'
        return end, f'expected "}}" after {num_points} points, got {got}'
    extra = next((i for i in range(end, len(lines)) if lines[i]), None)
    if extra is not None:
        return extra + 1, f'unexpected {lines[extra]!r} after "}}"'
    return points


def read_pts(path: str, num_points: int = 68) -> np.ndarray:
    """Read an iBUG ``.pts`` landmark file, strictly.

    The format (white space around the values is free)::

        version: 1
        n_points:  68
        {
        x0 y0
        ...
        }

    Values are returned as written (300W's are 1-based, see
    :class:`Face300W`).

    Args:
        path (str): The ``.pts`` file.
        num_points (int): Expected ``n_points``. Defaults to 68.

    Returns:
        np.ndarray: ``(num_points, 2)`` float32 ``(x, y)`` points.

    Raises:
        FileNotFoundError: When ``path`` does not exist.
        AnnotationError: ``<path>:<line>:`` and what is wrong (header,
            a line that is not two finite numbers, a missing ``}``).

    Example:
        >>> # points = read_pts('data/300W/ibug/image_003_1.pts')
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Landmark file {path} does not exist.')
    result = _parse_pts(path, num_points)
    if isinstance(result, tuple):
        raise AnnotationError(f'{path}:{result[0]}: {result[1]}')
    return result


def _box_of(points: np.ndarray) -> np.ndarray:
    """``(x1, y1, x2, y2)`` extent of ``(N, 2)`` points."""
    return np.concatenate([points.min(0), points.max(0)]).astype(np.float32)


@DATASETS.register_module()
class Face300W(BaseDataset):
    """300W (iBUG 68-point) faces: images with a ``.pts`` file beside each.

    Reads a list of images, one path per line relative to
    ``data_root / data_prefix`` (blank lines and ``#`` comments are
    skipped); the landmarks of ``<stem>.jpg`` are in ``<stem>.pts`` next to
    it, as in the released 300W / iBUG archives (``afw``, ``helen``,
    ``lfpw``, ``ibug``, ``300W/01_Indoor`` ...). Write one list per
    evaluation subset, e.g. ``common.txt`` (``lfpw/testset`` +
    ``helen/testset``), ``challenging.txt`` (``ibug``) and ``full.txt``
    (both), and one for training, e.g. ``train.txt`` (``afw``,
    ``lfpw/trainset``, ``helen/trainset``).

    300W ships no validation part, and checkpoints must never be selected
    on a test list. So ``split='val'`` holds out a seeded ``val_ratio``
    share of the given list (meant to be the training list; see
    :func:`fbp_mm.datasets.splits.holdout_split`: the keys are the image
    paths as listed, so the choice depends on the names, the ratio and
    ``split_seed`` only, not on the order of the lines or on which files
    exist), and ``split='train'`` is the rest of it. ``split='all'`` (the
    default) reads the whole list: the test lists, or a training list
    without hold-out. With ``val_ratio=0``, ``split='train'`` is the whole
    list too; ``split='val'`` then raises a ``ValueError``.

    **Coordinates:** the official ``.pts`` files are 1-based (Matlab: the
    centre of the top-left pixel is (1, 1)); 1 is subtracted so that
    ``face_landmarks`` are 0-based pixel coordinates, as the other fbp_mm
    datasets and transforms use them.

    Samples carry ``img_path``, ``face_landmarks`` (float32 ``(68, 2)``,
    ``(x, y)`` in the 68-point order) and ``face_box`` (float32
    ``(x1, y1, x2, y2)``, the extent of the landmarks). ``metainfo`` holds
    ``num_landmarks`` (68), ``flip_pairs`` (:data:`FLIP_PAIRS_68`),
    ``eye_corners`` (36, 45: the outer eye corners of the inter-ocular
    distance), ``eye_indices`` (the points of the image-left eye, 36-41,
    and of the image-right eye, 42-47, whose means are the pupil centres)
    and ``eye_contours`` (the same lists).

    An image listed twice raises an :class:`AnnotationError` naming the
    list file and line, on every split. The files of the images of the
    chosen split only are then read: a missing image or ``.pts`` file
    raises one naming the list file and line; a malformed ``.pts`` (header
    other than ``version: 1`` / ``n_points: 68`` / ``{``, a line that is
    not two finite numbers, a missing ``}``) one naming the ``.pts`` file
    and its line. With ``skip_invalid=True`` such images are dropped and
    counted in one warning.

    Args:
        ann_file (str): The image list, relative to ``data_root`` unless
            absolute.
        data_root (str): Root of the dataset. Defaults to ''.
        data_prefix (str | dict): Folder the listed paths are relative to,
            relative to ``data_root``. Defaults to ''.
        split (str): ``'all'`` (the whole list), ``'train'`` (the list less
            the hold-out) or ``'val'`` (the hold-out). Defaults to
            ``'all'``.
        val_ratio (float): Share of the list held out as the validation
            split by ``'train'`` / ``'val'``, in ``[0, 1)``. Defaults to
            0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        skip_invalid (bool): Skip bad images with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='Face300W', data_root='data/300W',
        ...              ann_file='train.txt', split='train')
        >>> val = dict(train, split='val')  # 10% of train.txt
        >>> challenging = dict(type='Face300W', data_root='data/300W',
        ...                    ann_file='challenging.txt')
        >>> # challenging.txt: ibug/image_003_1.jpg ...
    """

    METAINFO = {
        'num_landmarks': 68,
        'flip_pairs': list(FLIP_PAIRS_68),
        'eye_corners': (36, 45),
        'eye_indices': [list(range(36, 42)),
                        list(range(42, 48))],
        'eye_contours': [list(range(36, 42)),
                         list(range(42, 48))],
    }

    def __init__(self,
                 ann_file: str,
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 split: str = 'all',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        if not ann_file:
            raise ValueError('Face300W needs ann_file: a list of images, one '
                             'path per line.')
        val_ratio = check_holdout_args(split, ('all', 'train', 'val'),
                                        val_ratio)
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.split = split
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the image list, then the ``.pts`` file of every image of
        ``split`` once.

        Returns:
            list[dict]: ``dict(img_path=..., face_landmarks=(68, 2),
            face_box=(4,))`` per image of the split, in list order.
        """
        path = self.ann_file
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Image list {path} (one 300W image path per line, each '
                'with its .pts file beside it) does not exist.')
        # (lineno, name) per listed image, (lineno, name, reason) per
        # repeated one, in file order.
        rows: List[tuple] = []
        seen: Dict[str, int] = {}
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, start=1):
                name = line.strip()
                if not name or name.startswith('#'):
                    continue
                if name in seen:
                    rows.append((lineno, name, f'"{name}" is listed twice '
                                 f'(first on line {seen[name]})'))
                    continue
                seen[name] = lineno
                rows.append((lineno, name))
        keep = holdout_names(list(seen), self.split, self.val_ratio,
                             self.split_seed)
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        problems = InvalidRows(self.skip_invalid)
        data_list = []
        for row in rows:
            lineno, name = row[:2]
            if len(row) == 3:
                problems.add(path, lineno, row[2])
                continue
            if keep is not None and name not in keep:
                continue
            img_path = osp.join(img_root, name)
            reason = missing_image(img_path)
            pts_path = osp.splitext(img_path)[0] + '.pts'
            if reason is None and not osp.isfile(pts_path):
                reason = f'landmark file "{pts_path}" does not exist'
            if reason is not None:
                problems.add(path, lineno, reason)
                continue
            points = _parse_pts(pts_path, 68)
            if isinstance(points, tuple):
                problems.add(pts_path, *points)
                continue
            points = points - 1.0  # 1-based (Matlab) to 0-based
            data_list.append(
                dict(
                    img_path=img_path,
                    face_landmarks=points,
                    face_box=_box_of(points)))
        problems.warn(path)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(f'{path}:1: no valid image of split '
                                  f'{self.split!r} in the list{reason}.')
        return data_list


@DATASETS.register_module()
class WFLW(BaseDataset):
    """WFLW (98 landmarks, 10,000 faces) from the official annotation lists.

    Expects the layout of the released archives under ``data_root``::

        data_root/
          WFLW_images/0--Parade/0_Parade_marchingband_1_116.jpg ...
          WFLW_annotations/list_98pt_rect_attr_train_test/
            list_98pt_rect_attr_train.txt
            list_98pt_rect_attr_test.txt

    Each row holds, separated by spaces, 196 floats (``x0 y0 ... x97
    y97``), the face box (4 ints ``x_min y_min x_max y_max``), six 0 / 1
    attributes (pose, expression, illumination, make-up, occlusion, blur)
    and the image path relative to ``WFLW_images``. An image with several
    faces has one row per face.

    WFLW ships no validation part, and checkpoints must never be selected
    on the test split. So ``split='val'`` holds out a seeded ``val_ratio``
    share of the images of the training list (see
    :func:`fbp_mm.datasets.splits.holdout_split`), and ``split='train'`` is
    the rest of it. The hold-out is drawn over the image paths as listed,
    each counted once, so all faces of one image land on the same side, and
    the choice depends on those paths, the ratio and ``split_seed`` only
    (not on the order of the rows or on which files exist). ``split='test'``
    is the official test list, to be evaluated once at the end. With
    ``val_ratio=0`` the training split is the whole training list;
    ``split='val'`` then raises a ``ValueError``.

    Samples carry ``img_path``, ``face_landmarks`` (float32 ``(98, 2)``, as
    in the file), ``face_box`` (float32 ``(x1, y1, x2, y2)``, the
    annotated box) and ``wflw_attributes`` (``{name: 0 | 1}`` with the
    names of :data:`WFLW_ATTRIBUTES`, to evaluate the pose, expression, ...
    subsets). ``metainfo`` holds ``num_landmarks`` (98), ``flip_pairs``
    (:data:`FLIP_PAIRS_98`), ``eye_corners`` (60, 72: the outer eye
    corners of the inter-ocular distance), ``eye_indices`` (``[[96],
    [97]]``: WFLW annotates the pupils, so the image-left and image-right
    pupil centres are these points) and ``eye_contours`` (60-67 and
    68-75). The fbp_mm face transforms (``AlignFace``,
    ``RandomFaceFlip``) take 68-point landmarks and do not apply to these.

    A row without 207 fields, a value that is not a number (landmarks:
    finite floats; box: integers; attributes: 0 or 1), both checked on
    every row, or a missing image (checked for the chosen split only)
    raises an :class:`AnnotationError` whose message starts with
    ``file:line:``; with ``skip_invalid=True`` such rows are dropped and
    counted in one warning.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'`` (both from the official
            training list, see above) or ``'test'`` (the official test
            list). Defaults to ``'train'``.
        val_ratio (float): Share of the training list's images held out as
            the validation split, in ``[0, 1)``. Defaults to 0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        ann_file (str, optional): A list in the same format, relative to
            ``data_root`` unless absolute, read instead of the official
            list: with ``split='test'`` in full, with ``'train'`` /
            ``'val'`` less / only its hold-out (the official test subsets
            need no other list: ``subset``). Defaults to None.
        data_prefix (str | dict): Image folder relative to ``data_root``.
            Defaults to ``'WFLW_images'``.
        subset (str, optional): Keep only the faces with this attribute
            (one of :data:`WFLW_ATTRIBUTES`, flag 1 in the row): with
            ``split='test'`` the test subsets of the WFLW paper (large
            pose 326, expression 314, illumination 698, make-up 206,
            occlusion 736, blur 773 faces). Defaults to None (every
            face).
        skip_invalid (bool): Skip bad rows with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='WFLW', data_root='data/WFLW', split='train')
        >>> val = dict(train, split='val')  # 10% of the training images
        >>> test = dict(type='WFLW', data_root='data/WFLW', split='test')
        >>> pose = dict(test, subset='pose')  # the large-pose subset
    """

    METAINFO = {
        'num_landmarks': 98,
        'flip_pairs': FLIP_PAIRS_98,
        'eye_corners': (60, 72),
        'eye_indices': [[96], [97]],
        'eye_contours': [list(range(60, 68)),
                         list(range(68, 76))],
    }
    NUM_FIELDS = 196 + 4 + 6 + 1

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 ann_file: Optional[str] = None,
                 data_prefix: Union[str, dict] = 'WFLW_images',
                 subset: Optional[str] = None,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio = check_holdout_args(split, ('train', 'val', 'test'),
                                        val_ratio)
        if subset is not None and subset not in WFLW_ATTRIBUTES:
            raise ValueError(f'subset must be None or one of '
                             f'{WFLW_ATTRIBUTES}, got {subset!r}')
        self.subset = subset
        if not ann_file:
            list_split = 'test' if split == 'test' else 'train'
            ann_file = osp.join(WFLW_LIST_DIR,
                                f'list_98pt_rect_attr_{list_split}.txt')
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.split = split
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def _parse_row(self, fields: List[str]) -> Union[str, dict]:
        """The sample of one row (without ``img_path``), or why it is
        bad."""
        if len(fields) != self.NUM_FIELDS:
            return (f'expected {self.NUM_FIELDS} fields (196 landmark '
                    'values, 4 box values, 6 attributes, the image path), '
                    f'got {len(fields)}')
        try:
            points = np.array(fields[:196], dtype=np.float32)
        except ValueError:
            return 'a landmark value is not a number'
        if not np.isfinite(points).all():
            return 'a landmark value is not finite'
        try:
            box = [int(v) for v in fields[196:200]]
        except ValueError:
            return f'a box value of {fields[196:200]} is not an integer'
        attrs = fields[200:206]
        bad = next((v for v in attrs if v not in ('0', '1')), None)
        if bad is not None:
            return f'attribute value {bad!r} is not 0 or 1'
        return dict(
            face_landmarks=points.reshape(98, 2),
            face_box=np.array(box, dtype=np.float32),
            wflw_attributes={
                name: int(v)
                for name, v in zip(WFLW_ATTRIBUTES, attrs)
            })

    def load_data_list(self) -> List[dict]:
        """Read the annotation list once, validating every row, then keep
        the faces of ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., face_landmarks=(98, 2),
            face_box=(4,), wflw_attributes={...})`` per face of the split,
            in list order.
        """
        path = self.ann_file
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Annotation list {path} (WFLW rows of 196 landmark values, '
                'a box, 6 attributes and the image path) does not exist.')
        # (lineno, image name, sample dict or why the row is bad) per row.
        rows: List[Tuple[int, str, Union[str, dict]]] = []
        with open(path, encoding='utf-8') as f:
            for lineno, line in enumerate(f, start=1):
                fields = line.split()
                if not fields:
                    continue
                rows.append((lineno, fields[-1], self._parse_row(fields)))
        keep = holdout_names(
            [name for _, name, sample in rows if isinstance(sample, dict)],
            self.split, self.val_ratio, self.split_seed)
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        problems = InvalidRows(self.skip_invalid)
        data_list = []
        for lineno, name, sample in rows:
            if isinstance(sample, dict):
                if keep is not None and name not in keep:
                    continue
                img_path = osp.join(img_root, name)
                sample = missing_image(img_path) or dict(
                    img_path=img_path, **sample)
            if isinstance(sample, str):
                problems.add(path, lineno, sample)
                continue
            if self.subset and not sample['wflw_attributes'][self.subset]:
                continue
            data_list.append(sample)
        problems.warn(path)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            subset = f' (subset {self.subset!r})' if self.subset else ''
            raise AnnotationError(f'{path}:1: no valid face of split '
                                  f'{self.split!r}{subset} in the list'
                                  f'{reason}.')
        return data_list


@DATASETS.register_module()
class FaceLandmarkList(BaseDataset):
    """68-point faces from a landmark list (``<image> x0 y0 ... x67 y67``).

    The format of the synthetic demo faces' ``landmarks.txt`` and of
    ``tools/dataset_converters/write_landmarks.py`` (dlib's landmarks of
    any photo folder), read by :func:`read_landmarks`; 0-based pixels.
    An optional CelebA-style ``partition_file`` (``<image> 0|1|2``, e.g.
    the demo faces' ``partition.txt``) picks ``split``; without one, every
    listed image is used (``split='all'``). Samples and ``metainfo`` are
    those of :class:`Face300W`.

    Args:
        ann_file (str): The landmark list, relative to ``data_root``.
            Defaults to ``'landmarks.txt'``.
        data_root (str): Root; the listed images are relative to it (or to
            ``data_prefix`` under it). Defaults to ''.
        data_prefix (str | dict): Image folder under ``data_root``.
            Defaults to ''.
        partition_file (str, optional): Split list relative to
            ``data_root``. Defaults to None.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
            Defaults to ``'all'``.
        skip_invalid (bool): Skip missing images with a counted warning.
            Defaults to False.
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments.

    Example:
        >>> demo_train = dict(type='FaceLandmarkList',
        ...                   data_root='data/demo_faces',
        ...                   partition_file='partition.txt', split='train')
    """

    METAINFO = Face300W.METAINFO

    def __init__(self,
                 ann_file: str = 'landmarks.txt',
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 partition_file: Optional[str] = None,
                 split: str = 'all',
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        if split not in ('train', 'val', 'test', 'all'):
            raise ValueError("split must be 'train', 'val', 'test' or "
                             f"'all', got {split!r}")
        if split != 'all' and not partition_file:
            raise ValueError(f'split={split!r} needs a partition_file')
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.split = split
        self.partition_file = osp.join(data_root, partition_file) \
            if partition_file else None
        self.skip_invalid = skip_invalid
        super().__init__(ann_file=ann_file, data_root=data_root,
                         data_prefix=data_prefix, **kwargs)

    @property
    def ann_files(self) -> List[str]:
        """The files the samples come from (for recipe fingerprints)."""
        return [f for f in (self.ann_file, self.partition_file) if f]

    def load_data_list(self) -> List[dict]:
        """Read the landmark list (and the partition) once.

        Returns:
            list[dict]: ``dict(img_path=..., face_landmarks=(68, 2),
            face_box=(4,))`` per image of the split, in list order.
        """
        lines: Dict[str, int] = {}
        points = read_landmarks(self.ann_file, line_numbers=lines)
        problems = InvalidRows(self.skip_invalid)
        names = list(points)
        if self.partition_file:
            codes = read_partition(self.partition_file, problems,
                                   set(names), self.ann_file)
            if self.split != 'all':
                wanted = ('train', 'val', 'test').index(self.split)
                names = [n for n in names if codes.get(n) == wanted]
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        data_list = []
        for name in names:
            img_path = osp.join(img_root, name)
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(self.ann_file, lines[name], reason)
                continue
            data_list.append(dict(img_path=img_path,
                                  face_landmarks=points[name],
                                  face_box=_box_of(points[name])))
        problems.warn(self.ann_file)
        if not data_list:
            raise AnnotationError(f'{self.ann_file}:1: no image of split '
                                  f'{self.split!r}.')
        return data_list
