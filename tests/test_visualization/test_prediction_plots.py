"""plot_predictions.py: scatter, error histogram, error per score bin."""
import os.path as osp
import pickle
import subprocess
import sys

import matplotlib.axes
import numpy as np
import pytest
import torch
from PIL import Image
from scipy import stats

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'plot_predictions.py')


def test_plots_one_point_per_sample(tmp_path, monkeypatch):
    from fbp_mm.visualization.prediction_plots import plot_predictions
    rng = np.random.default_rng(0)
    true = rng.uniform(1, 5, 57)
    pred = true + rng.normal(0, 0.4, 57)
    drawn = {}
    scatter = matplotlib.axes.Axes.scatter
    title = matplotlib.axes.Axes.set_title

    def spy_scatter(self, x, y, *args, **kwargs):
        drawn['points'] = (np.asarray(x), np.asarray(y))
        return scatter(self, x, y, *args, **kwargs)

    def spy_title(self, text, *args, **kwargs):
        drawn.setdefault('titles', []).append(text)
        return title(self, text, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, 'scatter', spy_scatter)
    monkeypatch.setattr(matplotlib.axes.Axes, 'set_title', spy_title)
    paths = plot_predictions(pred, true, str(tmp_path), prefix='t_')
    assert sorted(paths) == ['error_per_bin', 'errors', 'scatter']
    for path in paths.values():
        assert osp.basename(path).startswith('t_')
        assert osp.getsize(path) > 5000
        expected = (500, 500) if 'scatter' in path else (500, 400)
        assert Image.open(path).size == expected
    x, y = drawn['points']
    assert len(x) == len(y) == 57
    np.testing.assert_array_equal(y, pred)
    plcc = stats.pearsonr(pred, true)[0]
    assert f'PLCC {plcc:.3f}' in drawn['titles'][0]
    mae = np.abs(pred - true).mean()
    assert f'MAE {mae:.3f}' in drawn['titles'][1]


def test_tool_reads_test_predictions(tmp_path):
    samples = [dict(pred_score=torch.tensor([float(i) + 0.1]),
                    gt_score=torch.tensor([float(i)])) for i in range(10)]
    with open(tmp_path / 'preds.pkl', 'wb') as f:
        pickle.dump(samples, f)
    out = tmp_path / 'plots'
    proc = subprocess.run(
        [sys.executable, TOOL, str(tmp_path / 'preds.pkl'), '--out-dir',
         str(out)], capture_output=True, text=True, check=True)
    assert str(out / 'scatter.png') in proc.stdout
    assert (out / 'errors.png').stat().st_size > 5000
    from fbp_mm.visualization import load_prediction_file
    with open(tmp_path / 'bad.pkl', 'wb') as f:
        pickle.dump([dict(pred_score=torch.tensor([1.0]))], f)
    with pytest.raises(ValueError,
                       match='sample 0 lacks pred_score or gt_score'):
        load_prediction_file(str(tmp_path / 'bad.pkl'))
