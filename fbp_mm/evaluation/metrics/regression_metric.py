"""Correlation and error metrics for score regression."""
import logging
import warnings
from typing import Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement
from mmpretrain.registry import METRICS

from ..functional.logistic import map_scores, try_fit_logistic4

CORRELATION_METRICS = ('plcc', 'srcc', 'krcc')
ERROR_METRICS = ('mae', 'rmse')
LOGISTIC_METRICS = ('plcc_logistic', 'rmse_logistic')
VALID_METRICS = CORRELATION_METRICS + ERROR_METRICS + LOGISTIC_METRICS

# scipy.stats functions by metric; scipy is imported on first use (it adds
# about half a second to every process that imports fbp_mm)
_CORRELATION_FNS = {
    'plcc': 'pearsonr',
    'srcc': 'spearmanr',
    'krcc': 'kendalltau',  # tau-b, which accounts for ties
}


def _to_vector(value) -> torch.Tensor:
    """Turn a score field into a detached 1-D CPU tensor."""
    if isinstance(value, torch.Tensor):
        tensor = value.detach().cpu()
    else:
        tensor = torch.as_tensor(np.asarray(value, dtype=np.float64))
    return tensor.reshape(-1)


def _correlation(name: str, x: np.ndarray, y: np.ndarray) -> float:
    """One correlation coefficient; NaN only for non-finite input."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        from scipy import stats
        value = float(getattr(stats, _CORRELATION_FNS[name])(x, y)[0])
    return value


def _is_degenerate(x: np.ndarray) -> bool:
    return x.size < 2 or float(np.ptp(x)) == 0.0


@METRICS.register_module()
class RegressionMetric(BaseMetric):
    """Correlation and error metrics between predicted and true scores.

    Every data sample must carry ``pred_score`` (written by the head) and
    ``gt_score`` (from the dataset), both 1-D float tensors of the same
    length ``k``. Available metrics:

    - ``plcc``: Pearson linear correlation coefficient.
    - ``srcc``: Spearman rank-order correlation coefficient.
    - ``krcc``: Kendall rank correlation (tau-b, handles ties).
    - ``mae`` / ``rmse``: mean absolute / root mean squared error.
    - ``plcc_logistic`` / ``rmse_logistic``: PLCC / RMSE after mapping the
      predictions with a 4-parameter logistic fitted on the evaluated set
      (see :func:`fbp_mm.evaluation.functional.fit_logistic4`).

    All values are computed in float64 with :mod:`scipy.stats` / numpy and
    reported as Python floats. When correlations are undefined (constant
    predictions or targets, fewer than two samples) they are reported as
    ``0.0`` and one warning is logged; ``mae`` / ``rmse`` are still
    computed. If the logistic fit is impossible, the logistic metrics use the
    linear least-squares map described in ``fit_logistic4``. Predictions
    containing NaN/Inf give NaN for every metric of that output.

    The result keys are the metric names without any prefix (unless
    ``prefix`` is given), so they can be used directly as
    ``default_hooks.checkpoint.save_best`` (e.g. ``save_best='plcc'``,
    ``rule='greater'``; ``rule='less'`` for ``mae``/``rmse``). With
    ``k > 1`` outputs and ``output_index=None``, per-output values are
    reported as ``<name>_<j>`` and their mean as ``<name>``.

    Args:
        metrics (str | Sequence[str]): Metrics to compute, a subset of
            ``('plcc', 'srcc', 'krcc', 'mae', 'rmse', 'plcc_logistic',
            'rmse_logistic')``. Defaults to all of them.
        output_index (int, optional): For multi-output samples, evaluate only
            this column (negative indices allowed). Defaults to None.
        logistic_max_iter (int): ``maxfev`` of the logistic fit.
            Defaults to 10000.
        collect_device (str): Device used to gather results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix added to the result keys, e.g.
            ``'regression'`` gives ``'regression/plcc'``. Defaults to None
            (plain keys).
        collect_dir (str, optional): Directory for gathering results with
            ``collect_device='cpu'``. Defaults to None (a temporary one).

    Example:
        >>> val_evaluator = dict(type='RegressionMetric')
        >>> val_evaluator = dict(
        ...     type='RegressionMetric', metrics=('plcc', 'srcc', 'rmse'))
        >>> default_hooks = dict(
        ...     checkpoint=dict(type='CheckpointHook', save_best='plcc',
        ...                     rule='greater'))
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 metrics: Union[str, Sequence[str]] = VALID_METRICS,
                 output_index: Optional[int] = None,
                 logistic_max_iter: int = 10000,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        # BaseMetric warns when no prefix is set; plain keys are intended
        # here, so pass a placeholder and reset it afterwards.
        super().__init__(
            collect_device=collect_device,
            prefix=prefix or 'regression',
            collect_dir=collect_dir)
        self.prefix = prefix

        if isinstance(metrics, str):
            metrics = (metrics, )
        metrics = tuple(dict.fromkeys(metrics))  # de-duplicate, keep order
        if len(metrics) == 0:
            raise ValueError('`metrics` must not be empty; choose from '
                             f'{", ".join(VALID_METRICS)}.')
        unknown = [m for m in metrics if m not in VALID_METRICS]
        if unknown:
            raise ValueError(
                f'Unknown regression metric(s) {", ".join(map(str, unknown))}'
                f'; valid names are: {", ".join(VALID_METRICS)}.')
        if output_index is not None and not isinstance(output_index, int):
            raise TypeError('`output_index` must be an int or None, got '
                            f'{type(output_index).__name__}.')
        self.metrics = metrics
        self.output_index = output_index
        self.logistic_max_iter = int(logistic_max_iter)

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Store the prediction and ground truth of every sample.

        Args:
            data_batch: A batch of data from the dataloader (unused).
            data_samples (Sequence[dict | DataSample]): Model outputs, as
                dicts (what :class:`mmengine.evaluator.Evaluator` passes) or
                as data samples.
        """
        for data_sample in data_samples:
            if isinstance(data_sample, BaseDataElement):
                data_sample = data_sample.to_dict()
            for key in ('pred_score', 'gt_score'):
                if key not in data_sample:
                    raise KeyError(
                        f'RegressionMetric needs `{key}` in every data '
                        f'sample; got keys {sorted(data_sample.keys())}.')
            # One flat item per sample, so that the gathering in
            # `BaseMetric.evaluate` can restore the dataset order.
            self.results.append(
                dict(
                    pred_score=_to_vector(data_sample['pred_score']),
                    gt_score=_to_vector(data_sample['gt_score'])))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the metrics over all gathered samples.

        Args:
            results (list[dict]): Items stored by :meth:`process`.

        Returns:
            dict[str, float]: Metric name to value.
        """
        if len(results) == 0:
            raise ValueError('RegressionMetric got no samples to evaluate.')
        pred, gt = self._stack(results)

        columns = list(range(pred.shape[1]))
        if self.output_index is not None:
            k = pred.shape[1]
            if not -k <= self.output_index < k:
                raise IndexError(f'`output_index={self.output_index}` is out '
                                 f'of range for samples with {k} outputs.')
            columns = [self.output_index % k]

        per_column = []
        notes = []
        for col in columns:
            values, col_notes = self._compute_column(pred[:, col], gt[:, col])
            per_column.append(values)
            where = f'output {col}' if pred.shape[1] > 1 else 'the data'
            notes.extend(f'{where}: {note}' for note in col_notes)

        if notes:
            print_log(
                'RegressionMetric: ' + '; '.join(notes) + '.',
                logger='current',
                level=logging.WARNING)

        if len(per_column) == 1:
            return per_column[0]
        metrics: Dict[str, float] = {}
        for name in self.metrics:
            for col, values in zip(columns, per_column):
                metrics[f'{name}_{col}'] = values[name]
            metrics[name] = float(np.mean([v[name] for v in per_column]))
        return metrics

    @staticmethod
    def _stack(results: List[dict]) -> Tuple[np.ndarray, np.ndarray]:
        """Stack predictions and targets into ``(N, k)`` float64 arrays."""
        sizes = {(r['pred_score'].numel(), r['gt_score'].numel())
                 for r in results}
        if len(sizes) != 1:
            raise ValueError(
                'All samples must have the same number of predicted and '
                f'target values; got (pred, gt) sizes {sorted(sizes)}.')
        k_pred, k_gt = sizes.pop()
        if k_pred != k_gt:
            raise ValueError(f'`pred_score` has {k_pred} values but '
                             f'`gt_score` has {k_gt}.')
        pred = torch.stack([r['pred_score'] for r in results])
        gt = torch.stack([r['gt_score'] for r in results])
        return (pred.to(torch.float64).numpy().reshape(len(results), -1),
                gt.to(torch.float64).numpy().reshape(len(results), -1))

    def _compute_column(self, pred: np.ndarray,
                        gt: np.ndarray) -> Tuple[Dict[str, float], List[str]]:
        """Metrics of one output column and the warnings to report."""
        notes: List[str] = []
        values: Dict[str, float] = {}
        if not (np.all(np.isfinite(pred)) and np.all(np.isfinite(gt))):
            notes.append('predictions or targets contain NaN/Inf, all '
                         'metrics are reported as NaN')
            return {name: float('nan') for name in self.metrics}, notes

        degenerate = None
        if pred.size < 2:
            degenerate = f'only {pred.size} sample'
        elif _is_degenerate(pred):
            degenerate = 'the predictions are constant'
        elif _is_degenerate(gt):
            degenerate = 'the targets are constant'
        if degenerate is not None:
            notes.append(f'{degenerate}, so correlations are undefined and '
                         'reported as 0.0')

        mapped = None
        if any(name in LOGISTIC_METRICS for name in self.metrics):
            params, reason = try_fit_logistic4(
                pred, gt, max_iter=self.logistic_max_iter)
            if reason is not None and degenerate is None:
                notes.append(f'logistic fit not possible ({reason}), a '
                             'linear least-squares map is used instead')
            mapped = map_scores(pred, params)

        for name in self.metrics:
            if name in CORRELATION_METRICS:
                value = 0.0 if degenerate else _correlation(name, pred, gt)
            elif name == 'mae':
                value = float(np.mean(np.abs(pred - gt)))
            elif name == 'rmse':
                value = float(np.sqrt(np.mean((pred - gt)**2)))
            elif name == 'plcc_logistic':
                value = (0.0 if degenerate or _is_degenerate(mapped) else
                         _correlation('plcc', mapped, gt))
            else:  # rmse_logistic
                value = float(np.sqrt(np.mean((mapped - gt)**2)))
            if not np.isfinite(value):
                notes.append(f'{name} was not finite and is reported as 0.0')
                value = 0.0
            values[name] = float(value)
        return values, notes
