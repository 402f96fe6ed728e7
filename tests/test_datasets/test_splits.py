import pytest

from fbp_mm.datasets.splits import holdout_split


def test_holdout_counts_and_determinism():
    names = [f'img_{i:03d}.jpg' for i in range(57)]
    mask = holdout_split(names, 0.1, seed=3)
    assert sum(mask) == 6  # round(5.7)
    assert holdout_split(names, 0.1, seed=3) == mask
    assert holdout_split(names, 0.1, seed=4) != mask
    # Order of the names does not matter, only the set.
    order = list(reversed(range(57)))
    reordered = holdout_split([names[i] for i in order], 0.1, seed=3)
    assert [reordered[order.index(i)] for i in range(57)] == mask
    # A larger ratio holds out a superset (same ranking).
    bigger = holdout_split(names, 0.3, seed=3)
    assert sum(bigger) == 17
    assert all(b for m, b in zip(mask, bigger) if m)


def test_holdout_edges():
    assert holdout_split(['a', 'b', 'c'], 0.0) == [False] * 3
    assert sum(holdout_split(['a', 'b', 'c'], 0.01)) == 1  # at least one
    assert sum(holdout_split(['a', 'b'], 0.9)) == 1  # one left to train on
    assert holdout_split([], 0.2) == []
    with pytest.raises(ValueError, match=r'val_ratio must be in \[0, 1\)'):
        holdout_split(['a', 'b'], 1.0)
    with pytest.raises(ValueError, match='distinct'):
        holdout_split(['a', 'a'], 0.5)
    with pytest.raises(ValueError, match='list of 1 image'):
        holdout_split(['a'], 0.5)
