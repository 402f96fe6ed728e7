"""AttributeAccuracy on a small hand-checked table, for every way the
ground truth can be stored."""
import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmpretrain.registry import METRICS, MODELS
from mmpretrain.structures import DataSample

SCORES = np.array([
    [0.9, 0.2, 0.5],  # predicted 1 0 1 (a score equal to thr is positive)
    [0.4, 0.7, 0.1],  # 0 1 0
    [0.6, 0.6, 0.49],  # 1 1 0
    [0.1, 0.3, 0.8],  # 0 0 1
], np.float32)
GT = np.array([
    [1, 0, 0],  # correct 1 1 0
    [1, 1, 0],  # 0 1 1
    [1, 0, 0],  # 1 0 1
    [0, 1, 1],  # 1 0 1
])
# per attribute: 3/4, 2/4, 3/4
EXPECTED = {'accuracy/0': 75.0, 'accuracy/1': 50.0, 'accuracy/2': 75.0}
NAMES = ('smiling', 'big_eyes', 'long_hair')


def samples(gt_field='gt_attributes', scores=SCORES):
    out = []
    for i, (score, gt) in enumerate(zip(scores, GT)):
        s = DataSample(metainfo=dict(img_path=f'{i}.jpg'))
        s.set_pred_score(torch.from_numpy(score))
        if gt_field == 'gt_attributes':
            s.set_field(gt, 'gt_attributes')
        elif gt_field == 'gt_score':  # multi-hot, as PackInputs sets it
            s.set_gt_score(gt.astype(np.float32))
        else:  # MultiLabelDataset's index list
            s.set_gt_label(np.flatnonzero(gt).tolist())
        out.append(s)
    return out


def evaluate(data, classes=None, **cfg):
    metric = METRICS.build(dict(type='AttributeAccuracy', **cfg))
    if classes is not None:
        metric.dataset_meta = dict(classes=classes)
    metric.process(None, data)
    return metric.evaluate(len(data))


@pytest.mark.parametrize('gt_field', ['gt_attributes', 'gt_score',
                                      'gt_label'])
def test_small_table(gt_field):
    results = evaluate(samples(gt_field))
    assert results == pytest.approx(dict(mean_accuracy=200 / 3, **EXPECTED))
    assert list(results)[0] == 'mean_accuracy'
    assert all(type(v) is float for v in results.values())


def test_names_from_dataset_meta_and_threshold():
    results = evaluate(samples(), classes=NAMES)
    assert results == pytest.approx({
        'mean_accuracy': 200 / 3,
        'accuracy/smiling': 75.0,
        'accuracy/big_eyes': 50.0,
        'accuracy/long_hair': 75.0
    })
    # nothing reaches 0.95: the accuracy is the share of negatives
    results = evaluate(samples(), thr=0.95)
    assert results == pytest.approx({
        'mean_accuracy': 50.0,
        'accuracy/0': 25.0,
        'accuracy/1': 50.0,
        'accuracy/2': 75.0
    })


def test_with_multi_label_head_predictions_through_the_evaluator():
    head = MODELS.build(
        dict(type='MultiLabelLinearClsHead', num_classes=3, in_channels=3))
    with torch.no_grad():
        head.fc.weight.copy_(torch.eye(3))
        head.fc.bias.zero_()
    logits = torch.logit(torch.from_numpy(SCORES).double()).float()
    data = samples('gt_label')
    with torch.no_grad():
        preds = head.predict((logits, ), data)
    np.testing.assert_allclose(preds[0].pred_score.numpy(), SCORES[0],
                               rtol=1e-5)
    evaluator = Evaluator(dict(type='AttributeAccuracy'))
    evaluator.dataset_meta = dict(classes=NAMES)
    evaluator.process(preds[:2])
    evaluator.process(preds[2:])
    results = evaluator.evaluate(4)
    assert results['accuracy/big_eyes'] == pytest.approx(50.0)
    assert results['mean_accuracy'] == pytest.approx(200 / 3)


def test_bad_ground_truth_raises():
    data = samples()
    data[1].gt_attributes = np.array([1, -1, 0])  # CelebA's raw -1
    with pytest.raises(ValueError, match='1.jpg'):
        evaluate(data)
    data = samples()
    data[2].gt_attributes = np.array([1, 0])
    with pytest.raises(ValueError, match='2 ground-truth'):
        evaluate(data)
    data = samples('gt_label')
    data[0].set_gt_label([3])
    with pytest.raises(ValueError, match='outside'):
        evaluate(data)
    with pytest.raises(ValueError, match='classes'):
        evaluate(samples(), classes=NAMES[:2])
    bare = DataSample(metainfo=dict(img_path='x.jpg'))
    bare.set_pred_score(torch.tensor([0.5]))
    with pytest.raises(KeyError, match='x.jpg'):
        evaluate([bare])
