"""Few-shot subsets: seeded, class-balanced, never from the test split."""
import numpy as np
import pytest
import torch
from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from fbp_mm.datasets.few_shot import FewShotDataset, few_shot_indices


class ToyDataset(BaseDataset):
    """Samples with a class label (``labels``) or a score; a ``split``."""

    def __init__(self, labels=None, scores=None, split='train', **kwargs):
        self.labels, self.scores, self.split = labels, scores, split
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self):
        if self.labels is not None:
            return [dict(img_path=f'{i}.jpg', gt_label=int(c))
                    for i, c in enumerate(self.labels)]
        return [dict(img_path=f'{i}.jpg', gt_score=[float(s)])
                for i, s in enumerate(self.scores)]


LABELS = [0] * 10 + [1] * 6 + [2] * 4


def test_shots_are_class_balanced_and_deterministic_per_seed():
    first = few_shot_indices(len(LABELS), LABELS, shots=3, seed=0)
    assert first == few_shot_indices(len(LABELS), LABELS, shots=3, seed=0)
    assert first != few_shot_indices(len(LABELS), LABELS, shots=3, seed=1)
    counts = np.bincount(np.asarray(LABELS)[first])
    assert counts.tolist() == [3, 3, 3] and len(set(first)) == 9
    assert first == sorted(first)


def test_fraction_and_count():
    part = few_shot_indices(20, fraction=0.25, seed=3)
    assert len(part) == 5 and len(set(part)) == 5
    assert all(0 <= i < 20 for i in part)
    assert few_shot_indices(20, fraction=0.01) != []  # at least one image
    assert len(few_shot_indices(20, count=7, seed=1)) == 7


@pytest.mark.parametrize('kwargs, message', [
    (dict(shots=2, fraction=0.5), 'exactly one of shots, fraction'),
    (dict(), 'exactly one of shots, fraction'),
    (dict(shots=5), 'Class 2 has 4 training image'),
    (dict(fraction=1.5), r'fraction must be in \(0, 1\]'),
    (dict(count=21), 'count must be between 1 and 20'),
])
def test_bad_sizes_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        few_shot_indices(20, LABELS, **kwargs)


def test_wrapper_subsets_a_training_split():
    dataset = FewShotDataset(ToyDataset(labels=LABELS), shots=2, seed=4)
    assert len(dataset) == 6
    labels = [dataset.get_data_info(i)['gt_label'] for i in range(6)]
    assert sorted(labels) == [0, 0, 1, 1, 2, 2]
    expected = few_shot_indices(20, LABELS, shots=2, seed=4)
    assert [dataset[i]['img_path'] for i in range(6)] == [
        f'{i}.jpg' for i in expected]


@pytest.mark.parametrize('split', ['test', 'val'])
def test_wrapper_never_samples_the_test_or_validation_split(split):
    with pytest.raises(ValueError, match=f"its '{split}' split"):
        FewShotDataset(ToyDataset(labels=LABELS, split=split), shots=1)


def test_regression_sets_take_a_fraction_not_shots():
    scores = np.linspace(1, 5, 20)
    dataset = FewShotDataset(ToyDataset(scores=scores), fraction=0.5, seed=0)
    assert len(dataset) == 10
    with pytest.raises(ValueError, match='Use fraction= or count='):
        FewShotDataset(ToyDataset(scores=scores), shots=1)


def test_seed_none_follows_the_run_seed_and_builds_from_config():
    DATASETS.register_module(module=ToyDataset, force=True)
    cfg = dict(type='FewShotDataset', shots=1,
               dataset=dict(type='ToyDataset', labels=LABELS))
    torch.manual_seed(5)
    a = DATASETS.build(cfg)
    torch.manual_seed(5)
    b = DATASETS.build(cfg)
    assert a.indices == b.indices == few_shot_indices(20, LABELS, shots=1,
                                                      seed=5)
    torch.manual_seed(6)
    assert DATASETS.build(cfg).indices == few_shot_indices(
        20, LABELS, shots=1, seed=6) != a.indices
