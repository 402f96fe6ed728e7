"""NMEMetric against hand-computed errors, failure rates and AUCs."""
import logging

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmpretrain.registry import METRICS
from mmpretrain.structures import DataSample

import fbp_mm.evaluation.metrics.landmark_metric as lm_module
from fbp_mm.evaluation.metrics.landmark_metric import area_under_ced

# Six points: outer eye corners 0 and 3 are 40 apart, the pupils (means of
# 0, 1 and of 2, 3) 30 apart, the extent is 40 x 10 (sqrt(w * h) = 20).
GT1 = np.array([[100, 100], [110, 100], [130, 100], [140, 100], [120, 110],
                [120, 105]], np.float32)
EYES = dict(eye_corners=(0, 3), eye_indices=([0, 1], [2, 3]))
# errors 5, 0, 2, 0, 2.4, 5: mean 2.4
PRED1 = GT1 + np.array([[3, 4], [0, 0], [0, 2], [0, 0], [2.4, 0], [-4, 3]],
                       np.float32)
# twice as large (normalisers 80, 60, 40), every point 9 off: mean 9
GT2 = GT1 * 2
PRED2 = GT2 + np.array([5.4, 7.2], np.float32)

# per image NME: inter_ocular 2.4 / 40, 9 / 80; inter_pupil 2.4 / 30,
# 9 / 60; box 2.4 / 20, 9 / 40
EXPECTED = {
    'inter_ocular': dict(nme=100 * (0.06 + 0.1125) / 2, failure_rate=50.0),
    'inter_pupil': dict(nme=100 * (0.08 + 0.15) / 2, failure_rate=50.0),
    'box': dict(nme=100 * (0.12 + 0.225) / 2, failure_rate=100.0),
}
# AUC to 0.1: only image 1 is under it, 0.5 * (0.1 - nme1) / 0.1
EXPECTED_AUC = {'inter_ocular': 0.2, 'inter_pupil': 0.1, 'box': 0.0}


def sample(pred, gt, img_path='img.jpg', tensor=True):
    s = DataSample(metainfo=dict(img_path=img_path))
    s.set_field(torch.from_numpy(pred) if tensor else pred, 'pred_landmarks')
    s.set_field(gt, 'face_landmarks')  # arrays, as PackInputs leaves them
    return s


def evaluate(samples, dataset_meta=None, **cfg):
    metric = METRICS.build(dict(type='NMEMetric', **cfg))
    if dataset_meta is not None:
        metric.dataset_meta = dataset_meta
    metric.process(None, samples)
    return metric.evaluate(len(samples))


@pytest.fixture
def captured_logs(monkeypatch):
    records = []

    def fake_print_log(msg, logger=None, level=logging.INFO):
        records.append((level, msg))

    monkeypatch.setattr(lm_module, 'print_log', fake_print_log)
    return records


@pytest.mark.parametrize('normalize', ['inter_ocular', 'inter_pupil', 'box'])
def test_two_images_under_each_normalisation(normalize):
    results = evaluate([sample(PRED1, GT1), sample(PRED2, GT2)],
                       normalize=normalize, **EYES)
    assert list(results) == ['nme', 'failure_rate', 'auc']
    assert all(type(v) is float for v in results.values())
    expected = EXPECTED[normalize]
    assert results['nme'] == pytest.approx(expected['nme'], rel=1e-6)
    assert results['failure_rate'] == expected['failure_rate']
    # NME 0.06 / 0.08 lie on the 1e-4 grid, so the trapezoid adds up to
    # half a step
    assert results['auc'] == pytest.approx(EXPECTED_AUC[normalize], abs=1e-3)


def test_auc_integrates_the_cumulative_error_curve():
    # 100-pixel corner distance; NMEs 0.02005 and 0.06005 (between grid
    # points, so the trapezoidal sum equals the exact area)
    gt = np.array([[0, 0], [100, 0]], np.float32)
    samples = [
        sample(gt + np.array([[4.01, 0], [0, 0]], np.float32), gt, 'a'),
        sample(gt + np.array([[12.01, 0], [0, 0]], np.float32), gt, 'b'),
    ]
    results = evaluate(samples, eye_corners=(0, 1))
    assert results['nme'] == pytest.approx(100 * (0.02005 + 0.06005) / 2,
                                           rel=1e-5)
    # CED: 0 to 0.02005, 1/2 to 0.06005, then 1:
    # (0.5 * 0.04 + 1 * 0.03995) / 0.1
    assert results['auc'] == pytest.approx(0.5995, abs=1e-6)
    assert results['failure_rate'] == 0.0
    results = evaluate(samples, eye_corners=(0, 1), failure_threshold=0.05)
    assert results['auc'] == pytest.approx(0.5 * 0.02995 / 0.05, abs=1e-6)
    assert results['failure_rate'] == 50.0


def test_area_under_ced_is_close_to_the_exact_area():
    rng = np.random.default_rng(0)
    nmes = rng.uniform(0, 0.15, 50)
    exact = np.mean(np.clip(0.1 - nmes, 0, None)) / 0.1
    # each jump costs at most half a step: 0.5 * 1e-4 / 0.1
    assert area_under_ced(nmes, 0.1) == pytest.approx(exact, abs=5e-4)
    assert area_under_ced(np.zeros(3), 0.1) == pytest.approx(1.0)
    assert area_under_ced(np.full(3, 0.2), 0.1) == 0.0


def test_eye_indices_from_dataset_meta_and_their_precedence(captured_logs):
    samples = [sample(PRED1, GT1), sample(PRED2, GT2, tensor=False)]
    meta = dict(eye_corners=(0, 3), eye_indices=[[0, 1], [2, 3]])
    for normalize in ('inter_ocular', 'inter_pupil'):
        results = evaluate(samples, dataset_meta=meta, normalize=normalize)
        assert results['nme'] == pytest.approx(EXPECTED[normalize]['nme'],
                                               rel=1e-6)
    assert captured_logs == []
    # an explicit argument wins over the dataset's, with a warning
    results = evaluate(samples, dataset_meta=dict(eye_corners=(1, 2)),
                       eye_corners=(0, 3))
    assert results['nme'] == pytest.approx(EXPECTED['inter_ocular']['nme'],
                                           rel=1e-6)
    assert len(captured_logs) == 1
    assert captured_logs[0][0] == logging.WARNING
    assert 'eye_corners' in captured_logs[0][1]
    # the dataset's corners 1, 2 are 20 apart (and 40 in image 2)
    results = evaluate(samples, dataset_meta=dict(eye_corners=(1, 2)))
    assert results['nme'] == pytest.approx(
        100 * (2.4 / 20 + 9 / 40) / 2, rel=1e-6)


def test_68_point_defaults():
    rng = np.random.default_rng(1)
    gt = rng.uniform(0, 100, (68, 2)).astype(np.float32)
    pred = gt + np.array([3, 4], np.float32)  # 5 pixels off everywhere
    results = evaluate([sample(pred, gt)])
    assert results['nme'] == pytest.approx(
        100 * 5 / np.linalg.norm(gt[36] - gt[45]), rel=1e-5)
    results = evaluate([sample(pred, gt)], normalize='inter_pupil')
    pupils = gt[36:42].mean(0) - gt[42:48].mean(0)
    assert results['nme'] == pytest.approx(
        100 * 5 / np.linalg.norm(pupils), rel=1e-5)


def test_through_the_evaluator():
    evaluator = Evaluator(dict(type='NMEMetric', normalize='box'))
    evaluator.process([sample(PRED1, GT1)])
    evaluator.process([sample(PRED2, GT2)])
    results = evaluator.evaluate(2)
    assert results['nme'] == pytest.approx(EXPECTED['box']['nme'], rel=1e-6)
    results = evaluate([sample(PRED1, GT1)], normalize='box',
                       prefix='landmark')
    assert set(results) == {'landmark/nme', 'landmark/failure_rate',
                            'landmark/auc'}


def test_errors_name_the_sample():
    gt = GT1.copy()
    gt[3] = gt[0]  # eye corners on top of each other
    with pytest.raises(ValueError, match='bad.jpg'):
        evaluate([sample(PRED1, gt, 'bad.jpg')], **EYES)
    flat = GT1.copy()
    flat[:, 1] = 100  # zero-height extent
    with pytest.raises(ValueError, match='flat.jpg'):
        evaluate([sample(PRED1, flat, 'flat.jpg')], normalize='box')
    with pytest.raises(ValueError, match='short.jpg'):
        evaluate([sample(PRED1[:5], GT1, 'short.jpg')], **EYES)
    with pytest.raises(IndexError, match='6 landmarks'):
        evaluate([sample(PRED1, GT1)])  # 68-point defaults
    missing = DataSample(metainfo=dict(img_path='none.jpg'))
    missing.set_field(GT1, 'face_landmarks')
    with pytest.raises(KeyError, match='pred_landmarks'):
        evaluate([missing])
    for cfg in (dict(normalize='iod'), dict(failure_threshold=0),
                dict(auc_step=0.5), dict(eye_corners=(1, 2, 3))):
        with pytest.raises(ValueError):
            METRICS.build(dict(type='NMEMetric', **cfg))


def test_face_box_normaliser_is_the_annotated_box():
    # boxes 50 x 8 (sqrt 20) and 160 x 10 (sqrt 40): the same NMEs as the
    # 'box' normaliser of the points' extents, from other boxes
    samples = [sample(PRED1, GT1), sample(PRED2, GT2)]
    samples[0].set_field(np.array([90, 100, 140, 108], np.float32),
                         'face_box')
    samples[1].set_field(torch.tensor([0., 0., 160., 10.]), 'face_box')
    results = evaluate(samples, normalize='face_box')
    assert results['nme'] == pytest.approx(EXPECTED['box']['nme'], rel=1e-6)
    assert results['failure_rate'] == 100.0
    # the extent would give 40 x 10 and 80 x 20; a box of 100 x 4 (sqrt 20)
    # for image 2 doubles its NME
    samples[1].set_field(np.array([0, 0, 100, 4], np.float32), 'face_box')
    results = evaluate(samples, normalize='face_box')
    assert results['nme'] == pytest.approx(100 * (0.12 + 0.45) / 2, rel=1e-6)
    without = sample(PRED1, GT1, 'nobox.jpg')
    with pytest.raises(KeyError, match=r"nobox.jpg has none \(pack it: "
                       r"PackInputs\(algorithm_keys=\['face_landmarks', "
                       r"'face_box'\]\)\)"):
        evaluate([without], normalize='face_box')
    flat = sample(PRED1, GT1, 'flat.jpg')
    flat.set_field(np.array([10, 10, 50, 10], np.float32), 'face_box')
    with pytest.raises(ValueError, match=r'flat.jpg is 0.0; its ground truth '
                       r'\(face_box\) is degenerate'):
        evaluate([flat], normalize='face_box')
