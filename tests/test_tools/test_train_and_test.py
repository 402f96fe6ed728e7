"""tools/train.py and tools/test.py end to end on generated faces."""
import os.path as osp
import pickle

import numpy as np
import pytest
from scipy import stats

from tool_runner import DEMO_CONFIG, python_tool, run_tool

# A model that learned nothing has PLCC around 0 on the test split; the
# synthetic score depends on clearly drawn geometry, so a model that learns
# it must correlate much better.
MIN_TEST_PLCC = 0.45


@pytest.fixture(scope='module')
def trained(demo_faces, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('train'))
    run_tool(
        python_tool(
            'train.py', DEMO_CONFIG, '--work-dir', work_dir, '--cfg-options',
            f'train_dataloader.dataset.data_root={demo_faces}',
            f'val_dataloader.dataset.data_root={demo_faces}',
            f'test_dataloader.dataset.data_root={demo_faces}',
            'train_cfg.max_epochs=12', 'train_cfg.val_interval=6',
            'param_scheduler.1.end=12', 'default_hooks.checkpoint.interval=6',
            'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
            'test_dataloader.num_workers=0'))
    return work_dir


def test_train_then_test_learns_the_score(trained, demo_faces, tmp_path):
    ckpt = osp.join(trained, 'epoch_12.pth')
    assert osp.isfile(ckpt)
    out = str(tmp_path / 'preds.pkl')
    proc = run_tool(
        python_tool(
            'test.py', DEMO_CONFIG, ckpt, '--work-dir', str(tmp_path),
            '--out', out, '--show-dir', 'shown', '--cfg-options',
            f'test_dataloader.dataset.data_root={demo_faces}',
            'test_dataloader.num_workers=0'))
    # the metrics table
    assert '| metric' in proc.stdout and '| plcc' in proc.stdout
    with open(out, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 200  # 40% of 500
    pred = np.array([p['pred_score'].item() for p in preds])
    true = np.array([p['gt_score'].item() for p in preds])
    plcc = stats.pearsonr(pred, true)[0]
    assert plcc > MIN_TEST_PLCC, plcc
    # the printed table shows the same PLCC
    line = next(x for x in proc.stdout.splitlines() if x.startswith('| plcc '))
    assert float(line.split('|')[2]) == pytest.approx(plcc, abs=1e-4)
    shown = list((tmp_path).glob('*/shown/*.jpg'))
    assert len(shown) == 200


def test_validation_saves_best_plcc_checkpoint(trained):
    best = [f for f in __import__('os').listdir(trained)
            if f.startswith('best_plcc_epoch_')]
    assert len(best) == 1


def test_out_item_metrics(trained, demo_faces, tmp_path):
    out = str(tmp_path / 'metrics.json')
    run_tool(
        python_tool(
            'test.py', DEMO_CONFIG, osp.join(trained, 'epoch_12.pth'),
            '--work-dir', str(tmp_path), '--out', out, '--out-item',
            'metrics', '--cfg-options',
            f'test_dataloader.dataset.data_root={demo_faces}',
            'test_dataloader.num_workers=0'))
    import json
    with open(out) as f:
        metrics = json.load(f)
    assert set(metrics) >= {'plcc', 'srcc', 'krcc', 'mae', 'rmse'}
