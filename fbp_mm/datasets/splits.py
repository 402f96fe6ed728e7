# Copyright (c) fbp_mm contributors. All rights reserved.
"""Seeded hold-out of a validation part from a training list.

Checkpoints are selected on a part of the training data, never on the test
split. :func:`holdout_split` picks that part from the image names alone, so
the same names, ratio and seed always give the same validation images,
whatever the order of the lines in the list file.

Only the standard library is needed, so dataset generators can write lists
that match what the dataset classes hold out.
"""
import hashlib
from typing import List, Optional, Sequence, Set, Tuple

__all__ = [
    'DEFAULT_VAL_RATIO', 'DEFAULT_SPLIT_SEED', 'holdout_split',
    'check_holdout_args', 'holdout_names', 'check_three_way_args',
    'three_way_names'
]

#: Default share of a training list held out for validation.
DEFAULT_VAL_RATIO = 0.1
#: Default seed of the hold-out.
DEFAULT_SPLIT_SEED = 0


def _rank_key(seed: int, key: str) -> bytes:
    return hashlib.sha256(f'{seed}\0{key}'.encode('utf-8')).digest()


def holdout_split(keys: Sequence[str], val_ratio: float,
                  seed: int = DEFAULT_SPLIT_SEED) -> List[bool]:
    """Choose the validation members of a list of distinct image names.

    Every name gets the rank of ``sha256(f'{seed}\\0{name}')``; the
    ``round(val_ratio * n)`` names of lowest rank (at least one and at most
    ``n - 1`` when ``val_ratio > 0``) are validation. The choice depends
    only on the set of names, the ratio and the seed: not on their order,
    and not on NumPy's random number generators.

    Args:
        keys (Sequence[str]): Distinct names, e.g. the image paths of a
            training list as written in the list file.
        val_ratio (float): Share held out, in ``[0, 1)``. 0 holds out
            nothing.
        seed (int): Seed of the hold-out. Defaults to 0.

    Returns:
        list[bool]: ``True`` where ``keys[i]`` is a validation image.

    Example:
        >>> names = [f'AF{i}.jpg' for i in range(1, 21)]
        >>> mask = holdout_split(names, 0.1)
        >>> sum(mask)
        2
        >>> holdout_split(names[::-1], 0.1) == mask[::-1]
        True
    """
    val_ratio = float(val_ratio)
    if not 0.0 <= val_ratio < 1.0:  # also rejects NaN
        raise ValueError(f'val_ratio must be in [0, 1), got {val_ratio}')
    num = len(keys)
    if len(set(keys)) != num:
        raise ValueError('holdout_split needs distinct names; the list '
                         'holds duplicates.')
    if val_ratio == 0.0 or num == 0:
        return [False] * num
    if num < 2:
        raise ValueError(
            f'Cannot hold out a validation part of a list of {num} image; '
            'set val_ratio=0 or use a longer list.')
    num_val = min(max(int(round(val_ratio * num)), 1), num - 1)
    order = sorted(range(num), key=lambda i: _rank_key(seed, keys[i]))
    chosen = set(order[:num_val])
    return [i in chosen for i in range(num)]


def check_holdout_args(split: str, splits: Sequence[str],
                       val_ratio: float) -> float:
    """Check a dataset's ``split`` and ``val_ratio``, as every dataset with
    a validation hold-out does.

    Args:
        split (str): The requested split.
        splits (Sequence[str]): The splits the dataset has.
        val_ratio (float): Share of the training list held out.

    Returns:
        float: ``val_ratio`` as a float.

    Raises:
        ValueError: For an unknown split, a ratio outside ``[0, 1)``, or
            ``split='val'`` with ``val_ratio=0``.

    Example:
        >>> check_holdout_args('val', ('train', 'val', 'test'), 0.1)
        0.1
    """
    if split not in splits:
        names = ', '.join(repr(s) for s in splits[:-1])
        raise ValueError(f'split must be {names} or {splits[-1]!r}, got '
                         f'{split!r}')
    val_ratio = float(val_ratio)
    if not 0.0 <= val_ratio < 1.0:  # also rejects NaN
        raise ValueError(f'val_ratio must be in [0, 1), got {val_ratio}')
    if split == 'val' and val_ratio == 0.0:
        raise ValueError(
            "split='val' needs val_ratio > 0 (the share of the training "
            'list held out for validation).')
    return val_ratio


def holdout_names(names: Sequence[str], split: str, val_ratio: float,
                  seed: int = DEFAULT_SPLIT_SEED) -> Optional[Set[str]]:
    """The names of a training list on the side of ``split``.

    ``'val'``: the hold-out of :func:`holdout_split`; ``'train'``: the rest.
    Repeated names (several faces of one image) count once, so all rows of
    an image land on the same side.

    Args:
        names (Sequence[str]): Names of the training list, as listed.
        split (str): The requested split.
        val_ratio (float): Share held out.
        seed (int): Seed of the hold-out. Defaults to 0.

    Returns:
        set[str] | None: The names to keep, or None to keep every name (any
        other split, or ``val_ratio=0``).

    Example:
        >>> names = [f'{i}.jpg' for i in range(10)]
        >>> len(holdout_names(names, 'val', 0.2))
        2
    """
    if split not in ('train', 'val') or val_ratio == 0.0:
        return None
    keys = list(dict.fromkeys(names))
    is_val = holdout_split(keys, val_ratio, seed)
    wanted = split == 'val'
    return {k for k, v in zip(keys, is_val) if v == wanted}


def check_three_way_args(split: str, splits: Sequence[str],
                         val_ratio: float, test_ratio: float
                         ) -> Tuple[float, float]:
    """Check ``split``, ``val_ratio`` and ``test_ratio`` of a dataset
    without an official split (see :func:`three_way_names`).

    Args:
        split (str): The requested split.
        splits (Sequence[str]): The splits the dataset has.
        val_ratio (float): Share of the training part held out for
            validation.
        test_ratio (float): Share of the whole list held out for testing.

    Returns:
        tuple[float, float]: ``val_ratio`` and ``test_ratio`` as floats.

    Raises:
        ValueError: As :func:`check_holdout_args`, and for ``test_ratio``
            outside ``[0, 1)`` or ``split='test'`` with ``test_ratio=0``.

    Example:
        >>> check_three_way_args('test', ('train', 'val', 'test'), 0.1, 0.2)
        (0.1, 0.2)
    """
    val_ratio = check_holdout_args(split, splits, val_ratio)
    test_ratio = float(test_ratio)
    if not 0.0 <= test_ratio < 1.0:  # also rejects NaN
        raise ValueError(f'test_ratio must be in [0, 1), got {test_ratio}')
    if split == 'test' and test_ratio == 0.0:
        raise ValueError(
            "split='test' needs test_ratio > 0 (the share of the list held "
            'out for testing).')
    return val_ratio, test_ratio


def three_way_names(names: Sequence[str], split: str, val_ratio: float,
                    test_ratio: float, seed: int = DEFAULT_SPLIT_SEED
                    ) -> Optional[Set[str]]:
    """The names of a list without an official split on the side of
    ``split``, drawn by :func:`holdout_names` twice.

    ``'test'``: the ``test_ratio`` hold-out of all names; ``'val'``: the
    ``val_ratio`` hold-out of the other names (the training part);
    ``'train'``: the rest of the training part. Both hold-outs use
    ``seed``, so the choice depends on the set of names, the ratios and
    the seed only. Repeated names count once, so names can be group keys
    (a person, a subject) and every row of a group lands on one side.

    Args:
        names (Sequence[str]): Names (or group keys) of the list.
        split (str): ``'train'``, ``'val'`` or ``'test'``; any other
            split keeps every name.
        val_ratio (float): Share of the training part held out for
            validation.
        test_ratio (float): Share of all names held out for testing.
        seed (int): Seed of both hold-outs. Defaults to 0.

    Returns:
        set[str] | None: The names to keep, or None to keep every name.

    Example:
        >>> names = [f'{i}.jpg' for i in range(20)]
        >>> [len(three_way_names(names, s, 0.25, 0.2))
        ...  for s in ('train', 'val', 'test')]
        [12, 4, 4]
    """
    if split not in ('train', 'val', 'test'):
        return None
    keys = list(dict.fromkeys(names))
    test = holdout_names(keys, 'val', test_ratio, seed) or set()
    if split == 'test':
        return test
    rest = [k for k in keys if k not in test]
    keep = holdout_names(rest, split, val_ratio, seed)
    return set(rest) if keep is None else keep
