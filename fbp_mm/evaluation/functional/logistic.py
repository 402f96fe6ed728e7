"""Four-parameter logistic mapping used by image quality assessment papers.

Before PLCC / RMSE are reported, IQA (and face beauty) papers commonly pass
the predictions through a monotonic logistic function fitted against the
ground truth, so that a model is not penalised for a non-linear but
order-preserving scale. The functions here are plain numpy-in / numpy-out so
that they can be reused outside of the metric (e.g. to calibrate
pseudo-labels).
"""
import warnings
from typing import Optional, Sequence, Tuple, Union

import numpy as np

ArrayLike = Union[np.ndarray, Sequence[float]]

#: Scale of the near-linear fallback: ``beta4`` is this many times the range
#: of the predictions, which makes the logistic linear to ~1e-9 (relative)
#: over the observed range.
_LINEAR_SCALE = 1e4


def logistic4(x: ArrayLike, beta1: float, beta2: float, beta3: float,
              beta4: float) -> np.ndarray:
    """Evaluate the 4-parameter logistic function.

    .. math::

        f(x) = \\frac{\\beta_1 - \\beta_2}
                     {1 + \\exp(-(x - \\beta_3) / |\\beta_4|)} + \\beta_2

    ``beta1`` and ``beta2`` are the asymptotes for ``x -> +inf`` and
    ``x -> -inf``, ``beta3`` the centre and ``|beta4|`` the width. It is
    evaluated through :func:`scipy.special.expit`, so large arguments never
    overflow, and ``beta4 == 0`` gives a step function instead of NaN.

    Args:
        x (array-like): Input values.
        beta1 (float): Upper asymptote (lower one if ``beta1 < beta2``).
        beta2 (float): Asymptote for ``x -> -inf``.
        beta3 (float): Centre of the sigmoid.
        beta4 (float): Width of the sigmoid; its sign is ignored.

    Returns:
        np.ndarray: ``f(x)`` as float64, same shape as ``x``.
    """
    x = np.asarray(x, dtype=np.float64)
    width = max(abs(float(beta4)), np.finfo(np.float64).tiny)
    with np.errstate(over='ignore', divide='ignore', invalid='ignore'):
        z = (x - beta3) / width
    from scipy.special import expit
    return (beta1 - beta2) * expit(z) + beta2


def map_scores(pred: ArrayLike, params: ArrayLike) -> np.ndarray:
    """Map raw predictions with fitted logistic parameters.

    Args:
        pred (array-like): Raw predictions.
        params (array-like): ``(beta1, beta2, beta3, beta4)``, e.g. the
            output of :func:`fit_logistic4`.

    Returns:
        np.ndarray: Mapped scores (float64), same shape as ``pred``.
    """
    params = np.asarray(params, dtype=np.float64).reshape(-1)
    if params.shape != (4, ):
        raise ValueError('`params` must hold exactly 4 values '
                         f'(beta1..beta4), got shape {params.shape}.')
    return logistic4(pred, *params)


def _linear_params(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Logistic parameters that reproduce the least-squares line.

    With a very wide sigmoid the logistic is linear over the observed range:
    around ``beta3`` it equals ``(beta1 + beta2) / 2 + slope * (x - beta3)``
    with ``slope = (beta1 - beta2) / (4 * |beta4|)``. When the line is
    undefined (constant predictions) or flat, the parameters describe the
    constant ``mean(target)``.
    """
    if target.size == 0:
        return np.array([0.0, 0.0, 0.0, 1.0])
    mean_t = float(np.mean(target))
    mean_p = float(np.mean(pred))
    centred = pred - mean_p
    denom = float(np.dot(centred, centred))
    ptp = float(np.ptp(pred))
    if target.size < 2 or denom <= 0.0 or ptp <= 0.0:
        return np.array([mean_t, mean_t, mean_p, 1.0])
    slope = float(np.dot(centred, target - mean_t)) / denom
    width = _LINEAR_SCALE * ptp
    half_span = 2.0 * width * slope
    # The line passes through (mean_p, mean_t) and so does the sigmoid centre.
    return np.array(
        [mean_t + half_span, mean_t - half_span, mean_p, width],
        dtype=np.float64)


def try_fit_logistic4(pred: ArrayLike,
                      target: ArrayLike,
                      max_iter: int = 10000
                      ) -> Tuple[np.ndarray, Optional[str]]:
    """Fit :func:`logistic4` without warning; report why it fell back.

    Same as :func:`fit_logistic4` but silent: it returns the reason of the
    fallback (or ``None`` when the logistic fit was used) so that callers can
    report it in their own way.

    Args:
        pred (array-like): Raw predictions, 1-D.
        target (array-like): Ground-truth scores, same length.
        max_iter (int): Maximum number of function evaluations of
            :func:`scipy.optimize.curve_fit` (``maxfev``). Defaults to 10000.

    Returns:
        tuple[np.ndarray, str | None]: The 4 parameters and the fallback
        reason (``None`` if the logistic fit succeeded).
    """
    pred = np.asarray(pred, dtype=np.float64).reshape(-1)
    target = np.asarray(target, dtype=np.float64).reshape(-1)
    if pred.shape != target.shape:
        raise ValueError('`pred` and `target` must have the same number of '
                         f'values, got {pred.size} and {target.size}.')
    if not (np.all(np.isfinite(pred)) and np.all(np.isfinite(target))):
        raise ValueError('`pred` and `target` must be finite (no NaN/Inf).')

    if pred.size < 4:
        return _linear_params(pred, target), (
            f'only {pred.size} points (at least 4 are needed)')
    if np.ptp(pred) == 0:
        return _linear_params(pred, target), 'constant predictions'
    if np.ptp(target) == 0:
        return _linear_params(pred, target), 'constant targets'

    # Fit in standardised coordinates so the problem is equally well
    # conditioned for any score scale; the parameters are mapped back below.
    mean_p, std_p = float(pred.mean()), float(pred.std())
    mean_t, std_t = float(target.mean()), float(target.std())
    x = (pred - mean_p) / std_p
    y = (target - mean_t) / std_t
    # Initial guess: asymptotes at the target extremes, centre at the mean
    # prediction, width equal to the prediction std (0 and 1 after
    # standardisation). For anti-correlated data the asymptotes are swapped
    # so that the optimiser starts on the right branch.
    upper, lower = float(y.max()), float(y.min())
    if np.dot(x, y) < 0:
        upper, lower = lower, upper
    p0 = [upper, lower, 0.0, 1.0]

    from scipy.optimize import OptimizeWarning, curve_fit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', OptimizeWarning)
            warnings.simplefilter('ignore', RuntimeWarning)
            popt, _ = curve_fit(logistic4, x, y, p0=p0, maxfev=int(max_iter))
    except (RuntimeError, ValueError, TypeError, FloatingPointError) as e:
        return _linear_params(pred, target), f'curve_fit failed ({e})'

    popt = np.asarray(popt, dtype=np.float64)
    params = np.array([
        mean_t + std_t * popt[0],
        mean_t + std_t * popt[1],
        mean_p + std_p * popt[2],
        std_p * abs(popt[3]),
    ])
    if not np.all(np.isfinite(params)):
        return _linear_params(pred, target), 'fit returned non-finite values'

    # A least-squares logistic can approximate the regression line
    # arbitrarily well, so a result worse than that line is a poor local
    # optimum: use the line instead.
    linear = _linear_params(pred, target)
    sse_fit = float(np.sum((map_scores(pred, params) - target)**2))
    sse_lin = float(np.sum((map_scores(pred, linear) - target)**2))
    if not np.isfinite(sse_fit) or sse_fit > sse_lin * (1 + 1e-9) + 1e-300:
        return linear, 'fit converged to a worse solution than a line'
    return params, None


def fit_logistic4(pred: ArrayLike,
                  target: ArrayLike,
                  max_iter: int = 10000) -> np.ndarray:
    """Fit the 4-parameter logistic mapping predictions onto targets.

    The fit uses :func:`scipy.optimize.curve_fit` (Levenberg-Marquardt)
    starting from ``beta1 = max(target)``, ``beta2 = min(target)``,
    ``beta3 = mean(pred)``, ``beta4 = std(pred)`` (the asymptotes are swapped
    for anti-correlated data). The returned ``beta4`` is non-negative.

    Fallback: when the fit is impossible or fails (fewer than 4 points,
    constant predictions or targets, ``curve_fit`` not converging within
    ``max_iter`` evaluations, non-finite parameters, or a result worse than a
    straight line) a :class:`RuntimeWarning` is issued and parameters that
    reproduce the least-squares line ``target ~ a * pred + b`` are returned
    (a very wide sigmoid, linear to ~1e-9 over the observed range). Such a
    map keeps the order of the predictions when they correlate positively.
    If the line is undefined (constant predictions, fewer than 2 points) the
    parameters map everything to ``mean(target)``. The returned parameters
    are always finite and work with :func:`map_scores`.

    Args:
        pred (array-like): Raw predictions, 1-D.
        target (array-like): Ground-truth scores, same length.
        max_iter (int): Maximum number of function evaluations of
            ``curve_fit`` (``maxfev``). Defaults to 10000.

    Returns:
        np.ndarray: ``(beta1, beta2, beta3, beta4)`` as float64.

    Raises:
        ValueError: If the lengths differ or the inputs are not finite.
    """
    params, reason = try_fit_logistic4(pred, target, max_iter=max_iter)
    if reason is not None:
        warnings.warn(
            f'Logistic fit not possible: {reason}; falling back to a linear '
            'least-squares map.',
            RuntimeWarning,
            stacklevel=2)
    return params
