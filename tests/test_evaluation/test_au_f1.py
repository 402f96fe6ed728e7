"""AU detection F1 with MMPretrain's MultiLabelMetric, checked by hand.

The AU configs (configs/face_prior/*_bp4d-au.py, *_disfa-au.py) report
per-AU F1 (``average=None``) and its mean (``average='macro'``) with
``thr=0.5``. This test feeds a handmade example as MMPretrain's pipeline
does and compares with counts written out by hand.

Where MultiLabelMetric differs from the textbook F1:

- values are percentages (0..100), not fractions;
- an AU that is never present and never predicted (TP = FP = FN = 0) has
  an undefined F1 (0 / 0) in the textbook; MultiLabelMetric reports 0 for
  its precision, recall and F1 (denominators are clamped to at least 1),
  and that 0 enters the macro mean. The same holds for the precision of an
  AU that is never predicted. A split in which an AU never occurs (possible
  in a small validation hold-out) therefore lowers the mean F1;
- the macro F1 is the mean of the per-AU F1s, not the F1 of the mean
  precision and mean recall (both conventions exist in papers; this one is
  the usual one for BP4D / DISFA);
- a score equal to ``thr`` counts as present (``score >= thr``).
"""
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmpretrain.structures import DataSample

AUS = ('AU1', 'AU2', 'AU4', 'AU6')

# (ground-truth AU indices, predicted scores per AU); thr = 0.5
SAMPLES = [
    ([0, 1], [0.9, 0.2, 0.1, 0.0]),  # predicted {AU1}
    ([0], [0.8, 0.7, 0.3, 0.1]),  # predicted {AU1, AU2}
    ([1], [0.1, 0.5, 0.2, 0.2]),  # predicted {AU2}: 0.5 >= thr
    ([], [0.6, 0.1, 0.0, 0.4]),  # predicted {AU1}
    ([0, 2], [0.4, 0.3, 0.2, 0.0]),  # predicted {}
    ([1], [0.0, 0.49, 0.1, 0.3]),  # predicted {}: 0.49 < thr
]

# Counts by hand, per AU (samples numbered 0..5):
#   AU1: present in 0, 1, 4; predicted in 0, 1, 3
#        TP = 2 (0, 1), FP = 1 (3), FN = 1 (4)
#        P = 2/3, R = 2/3, F1 = 2 TP / (2 TP + FP + FN) = 4/6 = 2/3
#   AU2: present in 0, 2, 5; predicted in 1, 2
#        TP = 1 (2), FP = 1 (1), FN = 2 (0, 5)
#        P = 1/2, R = 1/3, F1 = 2 / (2 + 1 + 2) = 2/5
#   AU4: present in 4; never predicted
#        TP = 0, FP = 0, FN = 1
#        P = 0/0 (undefined; MultiLabelMetric: 0), R = 0, F1 = 0
#   AU6: never present, never predicted
#        TP = FP = FN = 0: P, R, F1 all 0/0 (undefined; MultiLabelMetric: 0)
PRECISION = [200 / 3, 50.0, 0.0, 0.0]
RECALL = [200 / 3, 100 / 3, 0.0, 0.0]
F1 = [200 / 3, 40.0, 0.0, 0.0]


def evaluate(samples=SAMPLES):
    evaluator = Evaluator([
        dict(type='MultiLabelMetric', items=['precision', 'recall',
                                             'f1-score'], average='macro',
             thr=0.5),
        dict(type='MultiLabelMetric', items=['precision', 'recall',
                                             'f1-score'], average=None,
             thr=0.5),
    ])
    data_samples = [
        DataSample().set_pred_score(torch.tensor(scores)).set_gt_label(gt)
        for gt, scores in samples
    ]
    evaluator.process(data_samples)
    return evaluator.evaluate(len(data_samples))


def test_per_au_f1_matches_hand_counts():
    results = evaluate()
    assert results['multi-label/precision_classwise'] == pytest.approx(
        PRECISION, abs=1e-4)
    assert results['multi-label/recall_classwise'] == pytest.approx(
        RECALL, abs=1e-4)
    assert results['multi-label/f1-score_classwise'] == pytest.approx(
        F1, abs=1e-4)


def test_macro_is_the_mean_over_all_aus():
    results = evaluate()
    assert results['multi-label/f1-score'] == pytest.approx(
        (200 / 3 + 40) / 4, abs=1e-4)  # 26.667: AU4 and AU6 count as 0
    assert results['multi-label/precision'] == pytest.approx(
        (200 / 3 + 50) / 4, abs=1e-4)
    assert results['multi-label/recall'] == pytest.approx(
        (200 / 3 + 100 / 3) / 4, abs=1e-4)
    # not the F1 of the mean precision and recall (26.92)
    p, r = results['multi-label/precision'], results['multi-label/recall']
    assert results['multi-label/f1-score'] != pytest.approx(
        2 * p * r / (p + r), abs=1e-2)
    # the textbook mean over the AUs whose F1 is defined differs
    assert results['multi-label/f1-score'] != pytest.approx(
        (200 / 3 + 40 + 0) / 3, abs=1e-2)


def test_an_au_absent_from_the_split_lowers_the_mean():
    # AU6 occurs in no sample: its F1 is undefined in the textbook, 0 here,
    # and the macro mean over 4 AUs is lower than over the 3 that occur
    results = evaluate()
    assert results['multi-label/f1-score_classwise'][3] == 0.0
    without = evaluate([(gt, scores[:3]) for gt, scores in SAMPLES])
    assert without['multi-label/f1-score_classwise'] == pytest.approx(
        F1[:3], abs=1e-4)
    assert without['multi-label/f1-score'] == pytest.approx(
        (200 / 3 + 40) / 3, abs=1e-4)  # 35.556
    assert results['multi-label/f1-score'] < without['multi-label/f1-score']
