"""Tests of RegressionMetric against direct scipy / numpy computations."""
import logging

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmpretrain.registry import METRICS
from mmpretrain.structures import DataSample
from scipy import stats

import fbp_mm.evaluation.metrics.regression_metric as rm_module
from fbp_mm.evaluation.functional.logistic import fit_logistic4, map_scores
from fbp_mm.evaluation.metrics.regression_metric import (VALID_METRICS,
                                                         RegressionMetric)


def make_samples(pred, gt):
    """One DataSample per row of ``(N, k)`` arrays."""
    return [
        DataSample().set_pred_score(
            torch.tensor(p, dtype=torch.float32)).set_gt_score(
                torch.tensor(g, dtype=torch.float32))
        for p, g in zip(np.atleast_2d(pred.T).T, np.atleast_2d(gt.T).T)
    ]


def run_metric(pred, gt, batch_size=7, **cfg):
    """Feed DataSample objects batch by batch and evaluate."""
    metric = METRICS.build(dict(type='RegressionMetric', **cfg))
    samples = make_samples(pred, gt)
    for i in range(0, len(samples), batch_size):
        metric.process(None, samples[i:i + batch_size])
    return metric.evaluate(len(samples))


def reference(pred, gt):
    """Expected values computed directly (float64) from float32 inputs."""
    pred = np.asarray(pred, np.float32).astype(np.float64)
    gt = np.asarray(gt, np.float32).astype(np.float64)
    mapped = map_scores(pred, fit_logistic4(pred, gt))
    return dict(
        plcc=stats.pearsonr(pred, gt)[0],
        srcc=stats.spearmanr(pred, gt)[0],
        krcc=stats.kendalltau(pred, gt)[0],
        mae=np.mean(np.abs(pred - gt)),
        rmse=np.sqrt(np.mean((pred - gt)**2)),
        plcc_logistic=stats.pearsonr(mapped, gt)[0],
        rmse_logistic=np.sqrt(np.mean((mapped - gt)**2)))


@pytest.fixture
def captured_logs(monkeypatch):
    """Record what RegressionMetric logs through ``print_log``."""
    records = []

    def fake_print_log(msg, logger=None, level=logging.INFO):
        records.append((level, msg))

    monkeypatch.setattr(rm_module, 'print_log', fake_print_log)
    return records


@pytest.mark.parametrize('rounded', [False, True])
def test_matches_scipy(rounded, captured_logs):
    rng = np.random.default_rng(1 if rounded else 0)
    gt = rng.uniform(1, 5, 103)
    pred = gt + rng.normal(0, 0.7, gt.size)
    if rounded:  # heavy ties on both sides
        gt, pred = np.round(gt), np.round(pred)
    results = run_metric(pred, gt)
    expected = reference(pred, gt)
    assert list(results) == list(VALID_METRICS)
    for name, value in results.items():
        assert type(value) is float
        assert value == pytest.approx(expected[name], abs=1e-6), name
    assert captured_logs == []


def test_evaluator_path_dicts_and_subset():
    # Through mmengine's Evaluator, which hands dicts to `process`.
    rng = np.random.default_rng(2)
    gt = rng.uniform(1, 5, 40)
    pred = gt + rng.normal(0, 0.3, gt.size)
    evaluator = Evaluator(
        dict(type='RegressionMetric', metrics=['srcc', 'rmse', 'srcc']))
    samples = make_samples(pred, gt)
    for i in range(0, 40, 16):
        evaluator.process(samples[i:i + 16])
    results = evaluator.evaluate(40)
    expected = reference(pred, gt)
    assert list(results) == ['srcc', 'rmse']
    assert results['srcc'] == pytest.approx(expected['srcc'], abs=1e-6)
    assert results['rmse'] == pytest.approx(expected['rmse'], abs=1e-6)


def test_prefix_option():
    rng = np.random.default_rng(3)
    gt = rng.uniform(size=10)
    results = run_metric(gt + 0.1, gt, metrics='plcc', prefix='regression')
    assert list(results) == ['regression/plcc']


def test_constant_prediction(captured_logs):
    rng = np.random.default_rng(4)
    gt = rng.uniform(1, 5, 30)
    pred = np.full_like(gt, 3.0)
    results = run_metric(pred, gt)
    for name in ('plcc', 'srcc', 'krcc', 'plcc_logistic'):
        assert results[name] == 0.0
    assert all(np.isfinite(v) for v in results.values())
    gt32 = gt.astype(np.float32).astype(np.float64)
    assert results['mae'] == pytest.approx(np.mean(np.abs(3.0 - gt32)))
    assert results['rmse'] == pytest.approx(
        np.sqrt(np.mean((3.0 - gt32)**2)))
    # The fallback maps everything to mean(gt): rmse_logistic == std(gt).
    assert results['rmse_logistic'] == pytest.approx(np.std(gt32))
    assert len(captured_logs) == 1
    level, msg = captured_logs[0]
    assert level == logging.WARNING
    assert 'predictions are constant' in msg and 'reported as 0.0' in msg


def test_constant_targets_and_single_sample(captured_logs):
    results = run_metric(np.arange(5.0), np.full(5, 2.0))
    assert results['plcc'] == 0.0 and results['krcc'] == 0.0
    assert results['mae'] == pytest.approx(1.2)
    assert 'targets are constant' in captured_logs[-1][1]
    results = run_metric(np.array([1.0]), np.array([2.0]))
    assert all(np.isfinite(v) for v in results.values())
    assert results['srcc'] == 0.0 and results['mae'] == pytest.approx(1.0)
    assert len(captured_logs) == 2


def test_multi_output():
    rng = np.random.default_rng(5)
    gt = rng.uniform(1, 5, (50, 3))
    pred = gt + rng.normal(0, [0.2, 0.5, 1.0], gt.shape)
    results = run_metric(pred, gt, metrics=('plcc', 'mae', 'rmse_logistic'))
    per_col = [reference(pred[:, j], gt[:, j]) for j in range(3)]
    for name in ('plcc', 'mae', 'rmse_logistic'):
        for j in range(3):
            assert results[f'{name}_{j}'] == pytest.approx(
                per_col[j][name], abs=1e-6)
        assert results[name] == pytest.approx(
            np.mean([c[name] for c in per_col]), abs=1e-6)
    assert len(results) == 12

    # output_index picks one column and reports plain names.
    results = run_metric(pred, gt, metrics=('srcc', ), output_index=-1)
    assert results == {'srcc': pytest.approx(per_col[2]['srcc'], abs=1e-6)}
    with pytest.raises(IndexError):
        run_metric(pred, gt, output_index=3)


def test_logistic_improves_plcc_on_sigmoid_relation():
    rng = np.random.default_rng(6)
    raw = rng.uniform(-3, 3, 300)
    gt = 1 + 4 / (1 + np.exp(-2.5 * raw)) + rng.normal(0, 0.1, raw.size)
    results = run_metric(raw, gt)
    assert results['plcc_logistic'] >= results['plcc']
    assert results['plcc_logistic'] > 0.99
    assert results['rmse_logistic'] < results['rmse']


def test_unknown_metric_name():
    with pytest.raises(ValueError) as exc:
        RegressionMetric(metrics=('plcc', 'accuracy'))
    msg = str(exc.value)
    assert 'accuracy' in msg
    for name in VALID_METRICS:
        assert name in msg
    with pytest.raises(ValueError):
        RegressionMetric(metrics=())


def test_missing_or_mismatched_scores():
    metric = RegressionMetric()
    with pytest.raises(KeyError, match='gt_score'):
        metric.process(None, [{'pred_score': torch.tensor([1.0])}])
    metric = RegressionMetric()
    metric.process(None, [
        dict(pred_score=torch.tensor([1.0, 2.0]), gt_score=torch.tensor([1.]))
    ])
    with pytest.raises(ValueError, match='values'):
        metric.evaluate(1)


def test_non_finite_predictions(captured_logs):
    pred = np.array([1.0, np.nan, 3.0, 4.0])
    results = run_metric(pred, np.arange(4.0), metrics=('plcc', 'mae'))
    assert all(np.isnan(v) for v in results.values())
    assert 'NaN' in captured_logs[0][1]


def test_logistic_fallback_is_reported(captured_logs):
    rng = np.random.default_rng(7)
    gt = rng.uniform(1, 5, 60)
    pred = gt + rng.normal(0, 0.5, gt.size)
    results = run_metric(
        pred, gt, metrics=('plcc', 'plcc_logistic'), logistic_max_iter=2)
    # The linear fallback leaves the Pearson correlation unchanged.
    assert results['plcc_logistic'] == pytest.approx(results['plcc'],
                                                     abs=1e-6)
    assert len(captured_logs) == 1
    assert 'linear least-squares map' in captured_logs[0][1]
