"""SCUT-FBP5500 facial beauty dataset in its official layout."""
import os.path as osp

from mmpretrain.registry import DATASETS

from .score_list import ScoreListDataset

SPLIT_6040_DIR = osp.join('train_test_files', 'split_of_60%training and '
                          '40%testing')
FOLDS_DIR = osp.join('train_test_files', '5_folders_cross_validations_files')


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

    Args:
        data_root (str): Root of the extracted dataset.
        protocol (str): ``'6040'`` (60% train / 40% test split) or
            ``'5fold'`` (five-fold cross-validation). Defaults to ``'6040'``.
        fold (int): Fold 1–5 for ``protocol='5fold'``. Defaults to 1.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        data_prefix (str | dict): Image folder. Defaults to ``'Images'``.
        **kwargs: Other arguments of :class:`ScoreListDataset`
            (``pipeline``, ``skip_invalid``, ...). ``score_range`` defaults
            to ``(1, 5)``.

    Example:
        >>> dataset = dict(type='SCUTFBP5500', data_root='data/SCUT-FBP5500',
        ...                protocol='5fold', fold=3, split='test')
    """

    def __init__(self,
                 data_root: str,
                 protocol: str = '6040',
                 fold: int = 1,
                 split: str = 'train',
                 data_prefix='Images',
                 **kwargs) -> None:
        if split not in ('train', 'test'):
            raise ValueError(f"split must be 'train' or 'test', got {split!r}")
        if protocol == '6040':
            ann_file = osp.join(SPLIT_6040_DIR, f'{split}.txt')
        elif protocol == '5fold':
            if fold not in (1, 2, 3, 4, 5):
                raise ValueError(f'fold must be 1..5, got {fold!r}')
            ann_file = osp.join(FOLDS_DIR, f'cross_validation_{fold}',
                                f'{split}_{fold}.txt')
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
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)
