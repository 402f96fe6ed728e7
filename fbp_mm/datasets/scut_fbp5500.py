"""SCUT-FBP5500 facial beauty dataset in its official layout."""
import os.path as osp
from typing import List

from mmpretrain.registry import DATASETS

from .score_list import ScoreListDataset
from .splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                     check_holdout_args, holdout_names)

SPLIT_6040_DIR = osp.join('train_test_files', 'split_of_60%training and '
                          '40%testing')
FOLDS_DIR = osp.join('train_test_files', '5_folders_cross_validations_files')
SPLITS = ('train', 'val', 'test')


@DATASETS.register_module()
class SCUTFBP5500(ScoreListDataset):
    """SCUT-FBP5500 (5,500 faces, beauty score 1–5) from the official files.

    Expects the layout of the released archive under ``data_root``::

        data_root/
          Images/AF1.jpg ...
          train_test_files/
            split_of_60%training and 40%testing/{train,test}.txt
            5_folders_cross_validations_files/
              cross_validation_{k}/{train,test}_{k}.txt   (k = 1..5)

    Each list line is ``<file name> <mean score>``. The split is chosen by
    arguments, not by path.

    The official files have no validation part, and checkpoints must never
    be selected on the test split. So ``split='val'`` holds out a seeded
    ``val_ratio`` share of the official training list of the chosen
    protocol and fold (see :func:`fbp_mm.datasets.splits.holdout_split`:
    the choice depends on the file names, the ratio and ``split_seed``
    only, not on the order of the lines), and ``split='train'`` is the
    rest of that list. ``split='test'`` is the official test list, to be
    evaluated once at the end. With ``val_ratio=0`` the training split is
    the whole official training list (e.g. to retrain on all of it once
    the schedule is fixed).

    Args:
        data_root (str): Root of the extracted dataset.
        protocol (str): ``'6040'`` (60% train / 40% test split) or
            ``'5fold'`` (five-fold cross-validation). Defaults to ``'6040'``.
        fold (int): Fold 1–5 for ``protocol='5fold'``. Defaults to 1.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Defaults to
            ``'train'``.
        val_ratio (float): Share of the official training list held out as
            the validation split, in ``[0, 1)``. Defaults to 0.1.
        split_seed (int): Seed of the hold-out. Defaults to 0.
        data_prefix (str | dict): Image folder. Defaults to ``'Images'``.
        **kwargs: Other arguments of :class:`ScoreListDataset`
            (``pipeline``, ``skip_invalid``, ...). ``score_range`` defaults
            to ``(1, 5)``.

    Example:
        >>> train = dict(type='SCUTFBP5500', data_root='data/SCUT-FBP5500',
        ...              protocol='5fold', fold=3, split='train')
        >>> val = dict(train, split='val')  # 10% of train_3.txt
        >>> test = dict(train, split='test')  # test_3.txt
    """

    def __init__(self,
                 data_root: str,
                 protocol: str = '6040',
                 fold: int = 1,
                 split: str = 'train',
                 val_ratio: float = DEFAULT_VAL_RATIO,
                 split_seed: int = DEFAULT_SPLIT_SEED,
                 data_prefix='Images',
                 **kwargs) -> None:
        val_ratio = check_holdout_args(split, SPLITS, val_ratio)
        list_split = 'test' if split == 'test' else 'train'
        if protocol == '6040':
            ann_file = osp.join(SPLIT_6040_DIR, f'{list_split}.txt')
        elif protocol == '5fold':
            if fold not in (1, 2, 3, 4, 5):
                raise ValueError(f'fold must be 1..5, got {fold!r}')
            ann_file = osp.join(FOLDS_DIR, f'cross_validation_{fold}',
                                f'{list_split}_{fold}.txt')
        else:
            raise ValueError(
                f"protocol must be '6040' or '5fold', got {protocol!r}")
        if 'ann_file' in kwargs:
            raise TypeError(
                'SCUTFBP5500 picks its list from protocol/fold/split; use '
                'ScoreListDataset for a list file of your own.')
        kwargs.setdefault('score_range', (1.0, 5.0))
        kwargs.setdefault('ann_format', 'txt')
        self.protocol = protocol
        self.fold = fold
        self.split = split
        self.val_ratio = val_ratio
        self.split_seed = int(split_seed)
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the official list, then keep the part of ``split``.

        Returns:
            list[dict]: ``dict(img_path=..., gt_score=[...], list_index=0)``
            per image.
        """
        data_list = super().load_data_list()
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        names = [
            osp.relpath(info['img_path'], img_root).replace(osp.sep, '/')
            for info in data_list
        ]
        keep = holdout_names(names, self.split, self.val_ratio,
                             self.split_seed)
        if keep is None:
            return data_list
        return [info for info, name in zip(data_list, names)
                if name in keep]
