"""Tests of the 4-parameter logistic helpers."""
import warnings

import numpy as np
import pytest
from scipy import stats

from fbp_mm.evaluation.functional.logistic import (fit_logistic4, logistic4,
                                                   map_scores,
                                                   try_fit_logistic4)

TRUE_BETA = (5.0, 1.0, 0.5, 0.3)


def make_sigmoid_data(seed=0, n=1000, noise=0.05):
    """``y = logistic4(x; 5, 1, 0.5, 0.3) + N(0, noise)``, x ~ U(-1, 2)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 2.0, n)
    y = logistic4(x, *TRUE_BETA) + rng.normal(0.0, noise, n)
    return x, y


def test_logistic4_formula_and_stability():
    x = np.array([-1.0, 0.5, 2.0])
    expected = (5 - 1) / (1 + np.exp(-(x - 0.5) / 0.3)) + 1
    np.testing.assert_allclose(logistic4(x, *TRUE_BETA), expected, rtol=1e-12)
    # The sign of beta4 is ignored.
    np.testing.assert_allclose(
        logistic4(x, 5.0, 1.0, 0.5, -0.3), expected, rtol=1e-12)
    # Huge arguments and a zero width neither overflow nor give NaN.
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = logistic4(np.array([-1e308, 0.0, 1e308]), 1.0, 0.0, 0.0, 0.0)
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_fit_recovers_parameters(seed):
    # Tolerance: 0.05 on the asymptotes, 0.02 on centre and width (the
    # observed errors with 1000 points and noise std 0.05 are < 0.01).
    x, y = make_sigmoid_data(seed)
    with warnings.catch_warnings():
        warnings.simplefilter('error')  # no fallback warning expected
        params = fit_logistic4(x, y)
    assert params.shape == (4, ) and params.dtype == np.float64
    np.testing.assert_allclose(params[:2], TRUE_BETA[:2], atol=0.05)
    np.testing.assert_allclose(params[2:], TRUE_BETA[2:], atol=0.02)
    assert params[3] > 0


def test_fit_is_scale_invariant_and_handles_anticorrelation():
    x, y = make_sigmoid_data(0)
    params = fit_logistic4(1000 * x + 7, -100 * y)
    np.testing.assert_allclose(
        params, [-500, -100, 507, 300], rtol=0.02, atol=1.0)
    assert params[3] > 0


def test_mapped_scores_preserve_order():
    x, y = make_sigmoid_data(3)
    mapped = map_scores(x, fit_logistic4(x, y))
    assert mapped.shape == x.shape
    assert stats.spearmanr(mapped, x)[0] == 1.0
    assert np.all(np.diff(mapped[np.argsort(x)]) >= 0)


def test_map_scores_rejects_bad_params():
    with pytest.raises(ValueError, match='4 values'):
        map_scores([1.0, 2.0], [1.0, 2.0, 3.0])


def test_fit_input_validation():
    with pytest.raises(ValueError, match='same number'):
        fit_logistic4([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match='finite'):
        fit_logistic4([1.0, np.nan, 3.0, 4.0], [1.0, 2.0, 3.0, 4.0])


def test_fallback_when_curve_fit_fails_is_linear():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 200)
    y = 2 * x + 1 + rng.normal(0, 0.1, 200)
    with pytest.warns(RuntimeWarning, match='curve_fit failed'):
        params = fit_logistic4(x, y, max_iter=2)
    assert np.all(np.isfinite(params))
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose(
        map_scores(x, params), slope * x + intercept, rtol=0, atol=1e-6)
    assert stats.spearmanr(map_scores(x, params), x)[0] == 1.0


def test_fallback_constant_prediction():
    y = np.array([1.0, 2.0, 4.0, 5.0, 3.0])
    with pytest.warns(RuntimeWarning, match='constant predictions'):
        params = fit_logistic4(np.full(5, 0.7), y)
    assert np.all(np.isfinite(params))
    np.testing.assert_allclose(map_scores([0.0, 0.7, 9.0], params), 3.0)


def test_fallback_too_few_points_and_constant_targets():
    with pytest.warns(RuntimeWarning, match='only 3 points'):
        params = fit_logistic4([0.0, 1.0, 2.0], [1.0, 3.0, 5.0])
    np.testing.assert_allclose(
        map_scores([0.0, 1.0, 2.0], params), [1.0, 3.0, 5.0], atol=1e-6)
    with pytest.warns(RuntimeWarning, match='constant targets'):
        params = fit_logistic4([0.0, 1.0, 2.0, 3.0], np.full(4, 2.5))
    np.testing.assert_allclose(map_scores([0.0, 3.0], params), 2.5)
    # Degenerate sizes never give NaN.
    for n in (0, 1):
        params, reason = try_fit_logistic4(np.arange(n), np.arange(n))
        assert reason is not None and np.all(np.isfinite(params))


def test_try_fit_is_silent():
    x, y = make_sigmoid_data(0)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        params, reason = try_fit_logistic4(x, y)
        _, reason_const = try_fit_logistic4(np.ones(10), y[:10])
    assert reason is None and params.shape == (4, )
    assert reason_const == 'constant predictions'
