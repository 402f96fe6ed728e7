"""LFWA: LFW's 40 face attributes of Liu et al., from the released ``.mat``
files."""
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import AnnotationError, InvalidRows, missing_image
from .celeba import AttributeSubset
from .matlab_files import read_mat
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_holdout_args, holdout_names)

__all__ = ['LFWA']

SPLITS = ('train', 'val', 'test', 'all')


@DATASETS.register_module()
class LFWA(AttributeSubset, BaseDataset):
    """LFWA: the 40 binary face attributes of LFW images (Liu et al.,
    ICCV 2015, the CelebA attribute set), with the released split.

    Expects the released files next to the LFW images::

        data_root/
          lfw_att_40.mat          (AttrName, label, name)
          indices_train_test.mat  (indices_img_train, indices_img_test)
          lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg ...

    ``lfw_att_40.mat`` holds ``AttrName`` (the 40 names), ``name`` (the
    13,143 image paths, ``Person\\Person_0001.jpg``: the backslash is read
    as a folder separator) and ``label`` (one row per image, 1 where the
    attribute is present, 0 or -1 where it is absent).
    ``indices_train_test.mat`` holds the 1-based rows of the training
    (``indices_img_train``, 6,263) and test (``indices_img_test``, 6,880)
    images. Both files are read whether saved as Matlab v5 or v7.3 (HDF5,
    through ``h5py``).

    ``split='test'`` is the released test part, evaluated once at the end.
    The release has no validation part, so ``split='val'`` holds out a
    seeded ``val_ratio`` share of the people of the training part (the
    first folder of the path; see
    :func:`fbp_mm.datasets.splits.holdout_split`) and ``split='train'`` is
    the rest of it; no person is on both sides. ``'all'`` reads every
    image. With ``val_ratio=0`` the training split is the whole training
    part; ``split='val'`` then raises a ``ValueError``.

    Each sample carries ``img_path``, ``gt_label`` (the indices of the
    present attributes, MMPretrain's multi-label convention) and
    ``gt_attributes`` (``np.int64`` 0 / 1 per attribute);
    ``metainfo['classes']`` holds the names (the file's, or
    ``attributes``).

    A missing variable, a ``label`` whose shape does not fit ``name`` and
    ``AttrName``, or split indices outside ``1..N`` or in both parts raise
    an :class:`AnnotationError` naming the file. An image whose labels are
    not all in ``1, 0, -1`` or whose file is missing (checked for the
    chosen split only) raises one naming ``lfw_att_40.mat`` and the image's
    row (1-based); with ``skip_invalid=True`` such images are dropped and
    counted in one warning.

    Args:
        data_root (str): Root of the dataset. Defaults to ''.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
            Defaults to ``'train'``.
        val_ratio (float): Share of the training part's people held out as
            the validation split, in ``[0, 1)``. Defaults to 0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        attr_file (str): The attribute file, relative to ``data_root``
            unless absolute. Defaults to ``'lfw_att_40.mat'``.
        split_file (str): The split file, likewise. Defaults to
            ``'indices_train_test.mat'``.
        data_prefix (str | dict): Image folder relative to ``data_root``.
            Defaults to ``'lfw'``.
        attributes (Sequence[str], optional): Names of the attributes to
            keep, in this order. Defaults to None (all 40, in file order).
        skip_invalid (bool): Skip bad images with a counted warning instead
            of raising. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`.

    Example:
        >>> train = dict(type='LFWA', data_root='data/LFWA', split='train')
        >>> val = dict(train, split='val')  # 10% of the training people
        >>> test = dict(train, split='test')
    """

    METAINFO = {'classes': ()}

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 attr_file: str = 'lfw_att_40.mat',
                 split_file: str = 'indices_train_test.mat',
                 data_prefix: Union[str, dict] = 'lfw',
                 attributes: Optional[Sequence[str]] = None,
                 skip_invalid: bool = False,
                 **kwargs) -> None:
        val_ratio = check_holdout_args(split, SPLITS, val_ratio)
        attributes = self.check_attributes(attributes, kwargs)
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        if not osp.isabs(split_file) and data_root:
            split_file = osp.join(data_root, split_file)
        self.split = split
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        self.split_file = split_file
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
        return [self.ann_file, self.split_file]

    def _read_attributes(self):
        path = self.attr_file
        info = read_mat(path, ['AttrName', 'label', 'name'], required=True,
                        hint=' (LFWA has AttrName, label, name)')
        names, label = info['AttrName'], info['label']
        images = info['name']
        if not isinstance(names, list) or not isinstance(images, list) or \
                isinstance(label, list):
            raise AnnotationError(f'{path}: AttrName and name must be cells '
                                  'of strings and label a numeric array')
        if label.shape == (len(names), len(images)) != \
                (len(images), len(names)):
            label = label.T  # saved one image per column
        if label.shape != (len(images), len(names)):
            raise AnnotationError(
                f'{path}: label has shape {label.shape}; with {len(images)} '
                f'images in name and {len(names)} in AttrName it must be '
                f'({len(images)}, {len(names)})')
        images = [n.replace('\\', '/') for n in images]
        return names, label, images

    def _read_split(self, n: int):
        path = self.split_file
        keys = ['indices_img_train', 'indices_img_test']
        info = read_mat(path, keys, required=True)
        parts = []
        for key in keys:
            rows = np.asarray(info[key]).ravel()
            if rows.size == 0 or not np.array_equal(rows, np.round(rows)) \
                    or rows.min() < 1 or rows.max() > n:
                raise AnnotationError(
                    f'{path}: {key} must hold 1-based image rows in 1..{n}')
            parts.append(rows.astype(np.int64) - 1)
        both = np.intersect1d(*parts)
        if both.size:
            raise AnnotationError(
                f'{path}: row(s) {(both[:5] + 1).tolist()} are in both '
                'indices_img_train and indices_img_test')
        return parts

    def load_data_list(self) -> List[dict]:
        """Read both files once, then keep the images of ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., gt_label=[...],
            gt_attributes=(K,))`` per image, in the order of the split's
            indices (file order for ``'all'``).
        """
        path = self.attr_file
        names, label, images = self._read_attributes()
        columns = self.attribute_columns(names)
        if self.split == 'all':
            rows = np.arange(len(images))
        else:
            train, test = self._read_split(len(images))
            rows = test if self.split == 'test' else train
        keep = holdout_names([images[i].split('/')[0] for i in rows],
                             self.split, self.val_ratio, self.split_seed)
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        problems = InvalidRows(self.skip_invalid, noun='invalid image(s)')
        data_list = []
        for i in rows:
            name = images[i]
            if keep is not None and name.split('/')[0] not in keep:
                continue
            values = label[i]
            if not np.isin(values, (1, 0, -1)).all():
                bad = values[~np.isin(values, (1, 0, -1))][0]
                problems.add(path, None, f'row {i + 1} ({name}): label value '
                             f'{bad:g} is not 1, 0 or -1')
                continue
            img_path = osp.join(img_root, name)
            reason = missing_image(img_path)
            if reason is not None:
                problems.add(path, None, f'row {i + 1} ({name}): {reason}')
                continue
            present = (values[columns] > 0).astype(np.int64)
            data_list.append(
                dict(img_path=img_path,
                     gt_label=[int(k) for k in np.flatnonzero(present)],
                     gt_attributes=present))
        problems.warn(path)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(f'{path}: no valid image of split '
                                  f'{self.split!r}{reason}.')
        return data_list
