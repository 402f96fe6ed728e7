# Copyright (c) fbp_mm contributors. All rights reserved.
"""Plots of predicted against true scores (``plot_predictions.py``)."""
import os
import os.path as osp
import pickle
from typing import Dict, Tuple

import numpy as np

__all__ = ['load_prediction_file', 'plot_predictions']


def load_prediction_file(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Predicted and true first scores from ``tools/test.py --out x.pkl``.

    Raises:
        ValueError: When the file holds no samples with both scores.
    """
    with open(path, 'rb') as f:
        samples = pickle.load(f)
    pred, true = [], []
    for i, sample in enumerate(samples):
        if 'pred_score' not in sample or 'gt_score' not in sample:
            raise ValueError(f'{path}: sample {i} lacks pred_score or '
                             'gt_score (write it with tools/test.py --out '
                             'preds.pkl on a labeled test set).')
        pred.append(float(np.asarray(sample['pred_score']).reshape(-1)[0]))
        true.append(float(np.asarray(sample['gt_score']).reshape(-1)[0]))
    if not pred:
        raise ValueError(f'{path} holds no predictions.')
    return np.array(pred), np.array(true)


def plot_predictions(pred: np.ndarray,
                     true: np.ndarray,
                     out_dir: str,
                     prefix: str = '',
                     bins: int = 5,
                     title: str = '') -> Dict[str, str]:
    """Write three PNGs: the scatter of predicted against true scores with
    the identity line and PLCC / SRCC in the title, the histogram of the
    errors (predicted - true), and the mean absolute error per bin of the
    true score.

    Args:
        pred (np.ndarray): Predicted scores, shape ``(N,)``.
        true (np.ndarray): True scores, shape ``(N,)``.
        out_dir (str): Folder of the PNGs (made if missing).
        prefix (str): File name prefix. Defaults to ''.
        bins (int): Bins of the true score. Defaults to 5.
        title (str): Text before the metrics in the titles.

    Returns:
        dict[str, str]: ``scatter``, ``errors``, ``error_per_bin`` paths.

    Example:
        >>> import os.path as osp
        >>> import tempfile
        >>> out_dir = osp.join(tempfile.mkdtemp(), 'plots')
        >>> paths = plot_predictions(np.array([1., 2, 3]),
        ...                          np.array([1., 2.5, 3]), out_dir)
        >>> scatter = paths['scatter']
        >>> osp.relpath(scatter, out_dir), osp.isfile(scatter)
        ('scatter.png', True)
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    pred = np.asarray(pred, dtype=np.float64).reshape(-1)
    true = np.asarray(true, dtype=np.float64).reshape(-1)
    if pred.shape != true.shape or pred.size < 2:
        raise ValueError('pred and true need the same length, at least 2; '
                         f'got {pred.size} and {true.size}.')
    from scipy import stats
    plcc = stats.pearsonr(pred, true)[0]
    srcc = stats.spearmanr(pred, true)[0]
    head = f'{title}: ' if title else ''
    os.makedirs(out_dir, exist_ok=True)
    paths = {
        key: osp.join(out_dir, f'{prefix}{key}.png')
        for key in ('scatter', 'errors', 'error_per_bin')
    }

    fig, ax = plt.subplots(figsize=(5, 5))
    ax.scatter(true, pred, s=10, alpha=0.6)
    low = min(true.min(), pred.min())
    high = max(true.max(), pred.max())
    ax.plot([low, high], [low, high], 'k--', lw=1, label='identity')
    ax.set_xlabel('true score')
    ax.set_ylabel('predicted score')
    ax.set_title(f'{head}PLCC {plcc:.3f}, SRCC {srcc:.3f} (n={pred.size})')
    ax.legend(loc='upper left')
    fig.tight_layout()
    fig.savefig(paths['scatter'], dpi=100)
    plt.close(fig)

    errors = pred - true
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.hist(errors, bins=30)
    ax.axvline(0, color='k', lw=1)
    ax.set_xlabel('predicted - true')
    ax.set_ylabel('images')
    ax.set_title(f'{head}MAE {np.abs(errors).mean():.3f}, '
                 f'RMSE {np.sqrt((errors ** 2).mean()):.3f}')
    fig.tight_layout()
    fig.savefig(paths['errors'], dpi=100)
    plt.close(fig)

    edges = np.linspace(true.min(), true.max(), bins + 1)
    which = np.clip(np.digitize(true, edges[1:-1]), 0, bins - 1)
    centres = (edges[:-1] + edges[1:]) / 2
    mae = [np.abs(errors[which == b]).mean() if (which == b).any()
           else np.nan for b in range(bins)]
    counts = [int((which == b).sum()) for b in range(bins)]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.bar(centres, mae, width=(edges[1] - edges[0]) * 0.9)
    for x, y, n in zip(centres, mae, counts):
        if n:
            ax.annotate(f'n={n}', (x, y), ha='center', va='bottom')
    ax.set_xlabel('true score (bin centre)')
    ax.set_ylabel('mean absolute error')
    ax.set_title(f'{head}error per score bin')
    fig.tight_layout()
    fig.savefig(paths['error_per_bin'], dpi=100)
    plt.close(fig)
    return paths
