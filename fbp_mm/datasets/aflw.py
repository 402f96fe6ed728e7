"""AFLW-19 (19 landmarks, 24,386 faces) read from ``AFLWinfo_release.mat``."""
import os.path as osp
from typing import List, Tuple, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import AnnotationError, InvalidRows, missing_image
from .matlab_files import read_mat
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_holdout_args, holdout_names)

__all__ = ['FLIP_PAIRS_19', 'AFLW19']

#: Index pairs of the 19 AFLW points that swap under a horizontal flip:
#: brows (0-2, 3-5), eyes (6-8, 9-11), nostrils (12, 14), mouth corners
#: (15, 17); the nose tip 13, the mouth centre 16 and the chin 18 stay.
FLIP_PAIRS_19 = [(0, 5), (1, 4), (2, 3), (6, 11), (7, 10), (8, 9),
                 (12, 14), (15, 17)]

#: Faces of the published training part (the first of ``ra``).
NUM_TRAIN_FACES = 20000

# Arrays of the release and the shape each must have (N faces).
_FIELDS = dict(data=38, bbox=4, mask_new=19)


@DATASETS.register_module()
class AFLW19(BaseDataset):
    """AFLW-19: the 19-landmark AFLW protocol (full and frontal test sets).

    Expects the AFLW images and the protocol's Matlab file under
    ``data_root``::

        data_root/
          AFLWinfo_release.mat
          data/flickr/0/image00001.jpg ...   (the AFLW image archive)

    ``AFLWinfo_release.mat`` holds, for N = 24,386 faces, ``nameList``
    (image paths relative to ``data/flickr``), ``data`` (N x 38: the 19
    x coordinates, then the 19 y coordinates), ``bbox`` (N x 4: left,
    right, top, bottom), ``mask_new`` (N x 19: 1 where the point is
    visible) and ``ra`` (a permutation of the 1-based face indices: the
    first 20,000 are the training part, the other 4,386 the test part).
    Coordinates are used as stored, as the published loaders do.

    ``split='test'`` is the test part: ``subset='full'`` (AFLW-Full, 4,386
    faces) or ``'frontal'`` (AFLW-Frontal: its faces with all 19 points
    visible, 1,314 in the release). The training part has no validation
    set, and checkpoints must never be selected on the test part. So
    ``split='val'`` holds out a seeded ``val_ratio`` share of the training
    part's images (see :func:`fbp_mm.datasets.splits.holdout_split`; all
    its faces of one image land on one side) and ``split='train'`` is the
    rest. The protocol itself splits faces, not images, so an image may
    hold a training face and a test face; such images are never held out
    (they stay in ``'train'``), so no validation image is a test image.
    ``subset`` applies to these splits too. With ``val_ratio=0`` the
    training split is the whole training part; ``split='val'`` then raises
    a ``ValueError``.

    Samples carry ``img_path``, ``face_landmarks`` (float32 ``(19, 2)``),
    ``face_box`` (float32 ``(x1, y1, x2, y2)``, the annotated box, the
    normaliser of the protocol's NME: ``NMEMetric(normalize='face_box')``)
    and ``landmark_visible`` (bool ``(19,)``). ``metainfo`` holds
    ``num_landmarks`` (19), ``flip_pairs`` (:data:`FLIP_PAIRS_19`),
    ``eye_corners`` (6, 11: the outer eye corners) and ``eye_indices``
    (``[[7], [10]]``: the eye centres).

    A missing array, arrays of different lengths or an ``ra`` that is not
    a permutation of the faces raise an :class:`AnnotationError` naming
    the file. A face with a coordinate that is not finite, a box without
    area, a visibility other than 0 / 1, or (for the chosen split) a
    missing image raises one naming the file and the face's row
    (1-based, as in Matlab); with ``skip_invalid=True`` such faces are
    dropped and counted in one warning.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'`` (both from the training part)
            or ``'test'``. Defaults to ``'train'``.
        subset (str): ``'full'`` or ``'frontal'`` (faces with every point
            visible). Defaults to ``'full'``.
        val_ratio (float): Share of the training part's images held out as
            the validation split, in ``[0, 1)``. Defaults to 0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        num_train (int): Faces of ``ra`` that form the training part.
            Defaults to 20,000 (the protocol).
        ann_file (str): The Matlab file, relative to ``data_root`` unless
            absolute. Defaults to ``'AFLWinfo_release.mat'``.
        data_prefix (str | dict): Image folder relative to ``data_root``.
            Defaults to ``'data/flickr'``.
        skip_invalid (bool): Skip bad faces with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example:
        >>> train = dict(type='AFLW19', data_root='data/AFLW', split='train')
        >>> val = dict(train, split='val')  # 10% of the training images
        >>> full = dict(type='AFLW19', data_root='data/AFLW', split='test')
        >>> frontal = dict(full, subset='frontal')
    """

    METAINFO = {
        'num_landmarks': 19,
        'flip_pairs': FLIP_PAIRS_19,
        'eye_corners': (6, 11),
        'eye_indices': [[7], [10]],
    }

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 subset: str = 'full',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 num_train: int = NUM_TRAIN_FACES,
                 ann_file: str = 'AFLWinfo_release.mat',
                 data_prefix: Union[str, dict] = osp.join('data', 'flickr'),
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio = check_holdout_args(split, ('train', 'val', 'test'),
                                        val_ratio)
        if subset not in ('full', 'frontal'):
            raise ValueError("subset must be 'full' or 'frontal', got "
                             f'{subset!r}')
        if int(num_train) != num_train or num_train < 1:
            raise ValueError(f'num_train must be a positive integer, got '
                             f'{num_train!r}')
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.split = split
        self.subset = subset
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        self.num_train = int(num_train)
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def _read_arrays(self) -> Tuple[List[str], dict, np.ndarray]:
        """Names, the per-face arrays and the 0-based ``ra`` of the file."""
        path = self.ann_file
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'AFLW-19 annotation {path} (AFLWinfo_release.mat: nameList, '
                'data, bbox, mask_new, ra) does not exist.')
        info = read_mat(path, ['nameList', 'ra', *_FIELDS], required=True,
                        hint=' (the AFLW-19 release has nameList, data, '
                        'bbox, mask_new and ra)')
        names = info['nameList']
        if not isinstance(names, list):
            raise AnnotationError(f'{path}: nameList must be a cell of '
                                  'strings')
        n = len(names)
        arrays = {}
        for key, width in _FIELDS.items():
            value = info[key]
            if isinstance(value, list):
                raise AnnotationError(f'{path}: {key} must be numeric')
            if value.shape != (n, width):
                raise AnnotationError(
                    f'{path}: {key} has shape {value.shape}; with {n} names '
                    f'in nameList it must be ({n}, {width})')
            arrays[key] = value
        ra = np.asarray(info['ra'], dtype=np.float64).ravel()
        if ra.size != n or not np.array_equal(np.sort(ra),
                                              np.arange(1, n + 1)):
            raise AnnotationError(
                f'{path}: ra is not a permutation of the face indices '
                f'1..{n} ({ra.size} values)')
        if self.num_train >= n:
            raise AnnotationError(
                f'{path}: {n} faces, so no test part after num_train='
                f'{self.num_train}')
        return names, arrays, ra.astype(np.int64) - 1

    @staticmethod
    def _check_face(points: np.ndarray, box: np.ndarray,
                    mask: np.ndarray) -> Union[str, None]:
        if not np.isfinite(points).all():
            return 'a landmark coordinate is not finite'
        if not (np.isfinite(box).all() and box[1] > box[0]
                and box[3] > box[2]):
            return (f'box (left, right, top, bottom) {box.tolist()} has no '
                    'area')
        if not np.isin(mask, (0, 1)).all():
            return 'a mask_new value is not 0 or 1'
        return None

    def load_data_list(self) -> List[dict]:
        """Read the Matlab file once, then keep the faces of ``split`` and
        ``subset``.

        Returns:
            list[dict]: ``dict(img_path=..., face_landmarks=(19, 2),
            face_box=(4,), landmark_visible=(19,))`` per face, in the order
            of ``ra``.
        """
        path = self.ann_file
        names, arrays, ra = self._read_arrays()
        test_rows = ra[self.num_train:]
        if self.split == 'test':
            rows, keep = test_rows, None
        else:
            rows = ra[:self.num_train]
            # images that also hold a test face stay in 'train', so no
            # validation image is a test image
            in_test = {names[i] for i in test_rows}
            keep = holdout_names(
                [names[i] for i in rows if names[i] not in in_test],
                self.split, self.val_ratio, self.split_seed)
            if keep is not None and self.split == 'train':
                keep |= in_test
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        problems = InvalidRows(self.skip_invalid, noun='invalid face(s)')
        data_list = []
        for i in rows:
            name = names[i]
            if keep is not None and name not in keep:
                continue
            points = arrays['data'][i].reshape(2, 19).T
            box = arrays['bbox'][i]
            mask = arrays['mask_new'][i]
            reason = self._check_face(points, box, mask)
            if reason is None and self.subset == 'frontal' and \
                    not mask.all():
                continue
            img_path = osp.join(img_root, name)
            reason = reason or missing_image(img_path)
            if reason is not None:
                problems.add(path, None, f'row {i + 1} ({name}): {reason}')
                continue
            data_list.append(
                dict(
                    img_path=img_path,
                    face_landmarks=points.astype(np.float32),
                    face_box=np.array([box[0], box[2], box[1], box[3]],
                                      dtype=np.float32),
                    landmark_visible=mask.astype(bool)))
        problems.warn(path)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(
                f'{path}: no valid face of split {self.split!r} '
                f'(subset {self.subset!r}){reason}.')
        return data_list
