import pytest

from fbp_mm.datasets.splits import (check_three_way_args, holdout_split,
                                    three_way_names)


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


def test_three_way_names_partition_by_groups():
    people = [f'p{i:02d}' for i in range(20)]
    names = people * 3  # three rows per person, all on one side
    parts = {s: three_way_names(names, s, 0.25, 0.2, seed=1)
             for s in ('train', 'val', 'test')}
    assert {s: len(p) for s, p in parts.items()} == dict(train=12, val=4,
                                                         test=4)
    assert set().union(*parts.values()) == set(people)
    assert not parts['train'] & parts['val']
    assert not parts['train'] & parts['test']
    assert not parts['val'] & parts['test']
    # test: the first hold-out; val: the hold-out of the rest
    is_test = holdout_split(people, 0.2, seed=1)
    assert parts['test'] == {p for p, t in zip(people, is_test) if t}
    assert three_way_names(names[::-1], 'val', 0.25, 0.2, seed=1) == \
        parts['val']
    assert three_way_names(names, 'test', 0.25, 0.2, seed=2) != parts['test']
    assert three_way_names(names, 'all', 0.25, 0.2) is None
    # no test hold-out: train and val split the whole list
    assert len(three_way_names(names, 'train', 0.25, 0.0)) == 15


def test_three_way_args():
    splits = ('train', 'val', 'test', 'all')
    assert check_three_way_args('all', splits, 0.1, 0.2) == (0.1, 0.2)
    with pytest.raises(ValueError, match='needs test_ratio > 0'):
        check_three_way_args('test', splits, 0.1, 0)
    with pytest.raises(ValueError, match=r'test_ratio must be in \[0, 1\)'):
        check_three_way_args('train', splits, 0.1, 1.0)
    with pytest.raises(ValueError, match='needs val_ratio > 0'):
        check_three_way_args('val', splits, 0, 0.2)
