"""Few-shot subsets of a training set, seeded, shared by every method."""
import logging
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

#: Splits a few-shot subset may never be drawn from (test: evaluated once;
#: val: selects checkpoints).
HELD_OUT_SPLITS = ('test', 'val')


def few_shot_indices(num_samples: int,
                     labels: Optional[Sequence[int]] = None,
                     shots: Optional[int] = None,
                     fraction: Optional[float] = None,
                     count: Optional[int] = None,
                     seed: int = 0) -> List[int]:
    """Indices of a seeded few-shot subset.

    Exactly one of ``shots`` (``k`` images per class, class-balanced; needs
    ``labels``), ``fraction`` (that share of the images, at least one) or
    ``count`` (that many images) is given. The same arguments always give
    the same indices; different seeds give different draws.

    Args:
        num_samples (int): Size of the full training set.
        labels (Sequence[int], optional): One class index per sample; needed
            for ``shots``.
        shots (int, optional): Images per class.
        fraction (float, optional): Share of the training set, in (0, 1].
        count (int, optional): Number of images.
        seed (int): Seed of the draw. Defaults to 0.

    Returns:
        list[int]: Sorted indices into the training set.

    Raises:
        ValueError: When not exactly one size is given, a size is out of
            range, or a class has fewer than ``shots`` images.

    Example:
        >>> few_shot_indices(6, labels=[0, 0, 1, 1, 2, 2], shots=1, seed=0)
        [1, 3, 5]
    """
    given = [n for n, v in (('shots', shots), ('fraction', fraction),
                            ('count', count)) if v is not None]
    if len(given) != 1:
        raise ValueError('Give exactly one of shots, fraction and count '
                         f'(got {given or "none"})')
    rng = np.random.default_rng(seed)
    if shots is not None:
        if labels is None:
            raise ValueError('shots (k images per class) needs one class '
                             'label per image')
        if shots < 1:
            raise ValueError(f'shots must be at least 1, got {shots}')
        labels = np.asarray(labels)
        picked = []
        for label in np.unique(labels):
            members = np.flatnonzero(labels == label)
            if len(members) < shots:
                raise ValueError(
                    f'Class {int(label)} has {len(members)} training '
                    f'image(s), fewer than shots={shots}')
            picked.extend(rng.choice(members, shots, replace=False).tolist())
        return sorted(int(i) for i in picked)
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise ValueError(f'fraction must be in (0, 1], got {fraction}')
        count = max(1, int(round(fraction * num_samples)))
    if not 1 <= count <= num_samples:
        raise ValueError(
            f'count must be between 1 and {num_samples}, got {count}')
    return sorted(
        int(i) for i in rng.choice(num_samples, count, replace=False))


def single_label(info: Dict[str, Any], index: int) -> int:
    """The class index of a sample, for class-balanced shots."""
    label = info.get('gt_label')
    if isinstance(label, (list, tuple, np.ndarray)) and len(label) == 1:
        label = label[0]
    if label is None or isinstance(label, (list, tuple, np.ndarray)):
        raise ValueError(
            f'shots needs one class label (gt_label) per image; sample '
            f'{index} has {label!r}. Use fraction= or count= for multi-label,'
            ' regression and landmark sets.')
    return int(label)


@DATASETS.register_module()
class FewShotDataset:
    """A seeded few-shot subset of a training dataset.

    The protocol every method's few-shot rows share: ``shots`` images per
    class (classification, class-balanced), or a ``fraction`` / ``count``
    of the training set (multi-label attributes, regression, landmarks),
    drawn with ``seed``. The wrapped dataset must be a training split: a
    dataset whose ``split`` is ``'test'`` is refused, so a subset can never
    come from the test data; ``'val'`` is refused too (it selects the
    checkpoints). Validation and test loaders stay as they are.

    With ``seed=None`` the draw uses the run's seed (``randomness.seed`` of
    the config, which MMEngine sets before it builds the training
    dataloader; ``torch.initial_seed()``), so ``tools/run_recipe.py
    --seeds 0 1 2`` draws a new subset per seed. Do not combine it with
    ``randomness.diff_rank_seed=True`` (ranks would draw different subsets).

    Args:
        dataset (dict | Dataset): The training dataset or its config.
        shots (int, optional): Images per class.
        fraction (float, optional): Share of the training set.
        count (int, optional): Number of images.
        seed (int, optional): Seed of the draw. Defaults to None (the run's
            seed).
        lazy_init (bool): Defer loading the dataset. Defaults to False.

    Example:
        >>> train_dataloader = dict(dataset=dict(
        ...     type='FewShotDataset', shots=10,
        ...     dataset=dict(type='RAFDBBasic', data_root='data/RAF-DB',
        ...                  split='train')))
    """

    def __init__(self,
                 dataset: Union[dict, Any],
                 shots: Optional[int] = None,
                 fraction: Optional[float] = None,
                 count: Optional[int] = None,
                 seed: Optional[int] = None,
                 lazy_init: bool = False) -> None:
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset
        split = getattr(self.dataset, 'split', None)
        if split in HELD_OUT_SPLITS:
            raise ValueError(
                f'FewShotDataset draws training subsets; the wrapped '
                f'{type(self.dataset).__name__} is its {split!r} split. '
                "Wrap the 'train' split (checkpoints are chosen on 'val', "
                "the test split is evaluated once).")
        self.shots, self.fraction, self.count = shots, fraction, count
        self.seed = seed
        self.indices: List[int] = []
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """The wrapped dataset's meta information."""
        return self.dataset.metainfo

    def full_init(self) -> None:
        """Load the wrapped dataset and draw the subset."""
        if self._fully_initialized:
            return
        if hasattr(self.dataset, 'full_init'):
            self.dataset.full_init()
        total = len(self.dataset)
        labels = None
        if self.shots is not None:
            labels = [single_label(self.dataset.get_data_info(i), i)
                      for i in range(total)]
        seed = self.seed if self.seed is not None \
            else torch.initial_seed() % 2**32
        self.indices = few_shot_indices(
            total, labels, shots=self.shots, fraction=self.fraction,
            count=self.count, seed=seed)
        size = (f'{self.shots} per class' if self.shots is not None else
                f'fraction {self.fraction}' if self.fraction is not None
                else f'count {self.count}')
        print_log(
            f'FewShotDataset: {len(self.indices)} of {total} training '
            f'images ({size}, seed {seed})',
            logger='current', level=logging.INFO)
        self._fully_initialized = True

    def get_data_info(self, idx: int) -> dict:
        """Annotation of the ``idx``-th image of the subset."""
        self.full_init()
        return self.dataset.get_data_info(self.indices[idx])

    def __getitem__(self, idx: int) -> dict:
        self.full_init()
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        self.full_init()
        return len(self.indices)
