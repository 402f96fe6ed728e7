"""Two CPU processes (torchrun, gloo) train and evaluate like one."""
import os.path as osp
import pickle
import shutil

import pytest
import torch

from tool_runner import DEMO_CONFIG, python_tool, run_tool, torchrun

COMMON = [
    'train_dataloader.num_workers=0', 'val_dataloader.num_workers=0',
    'test_dataloader.num_workers=0', 'train_cfg.max_epochs=2',
    'train_cfg.val_interval=2', 'param_scheduler.1.end=2'
]


@pytest.mark.skipif(
    not torch.distributed.is_gloo_available(), reason='needs gloo')
def test_two_process_training_and_evaluation(demo_faces, tmp_path):
    # An odd test set so that the distributed sampler pads one rank.
    test_root = tmp_path / 'odd'
    shutil.copytree(demo_faces, test_root)
    split = test_root / 'train_test_files' / \
        'split_of_60%training and 40%testing' / 'test.txt'
    lines = split.read_text().splitlines()[:41]
    split.write_text('\n'.join(lines) + '\n')
    data = [
        f'train_dataloader.dataset.data_root={demo_faces}',
        f'val_dataloader.dataset.data_root={test_root}',
        f'test_dataloader.dataset.data_root={test_root}'
    ]
    work = str(tmp_path / 'work')
    proc = run_tool(
        torchrun('train.py', DEMO_CONFIG, '--work-dir', work,
                 '--cfg-options', *COMMON, *data, port=29631))
    assert 'gloo process group' in proc.stdout + proc.stderr
    ckpt = osp.join(work, 'epoch_2.pth')
    assert osp.isfile(ckpt)

    dist_out = str(tmp_path / 'dist.pkl')
    dist = run_tool(
        torchrun('test.py', DEMO_CONFIG, ckpt, '--work-dir', work, '--out',
                 dist_out, '--cfg-options', *COMMON, *data, port=29632))
    single_out = str(tmp_path / 'single.pkl')
    single = run_tool(
        python_tool('test.py', DEMO_CONFIG, ckpt, '--work-dir', work,
                    '--out', single_out, '--cfg-options', *COMMON, *data))

    def table(stdout):
        rows = [r.split('|') for r in stdout.splitlines()
                if r.startswith('| ') and not r.startswith('| metric')]
        return {r[1].strip(): float(r[2]) for r in rows}

    dist_metrics, single_metrics = table(dist.stdout), table(single.stdout)
    assert set(dist_metrics) >= {'plcc', 'srcc', 'krcc', 'mae', 'rmse'}
    assert dist_metrics == pytest.approx(single_metrics, abs=1e-4)

    with open(dist_out, 'rb') as f:
        dist_preds = pickle.load(f)
    with open(single_out, 'rb') as f:
        single_preds = pickle.load(f)
    # gathered in dataset order, padding dropped
    assert len(dist_preds) == len(single_preds) == 41
    assert [p['img_path'] for p in dist_preds] == \
        [p['img_path'] for p in single_preds]
    for d, s in zip(dist_preds, single_preds):
        torch.testing.assert_close(d['pred_score'], s['pred_score'],
                                   rtol=1e-5, atol=1e-5)

    # and the metric over the gathered predictions is the single-process one
    from mmpretrain.structures import DataSample

    from fbp_mm.evaluation.metrics import RegressionMetric
    metric = RegressionMetric()
    metric.process(None, [
        DataSample().set_pred_score(p['pred_score']).set_gt_score(
            p['gt_score']) for p in dist_preds
    ])
    direct = metric.evaluate(len(dist_preds))
    assert direct['plcc'] == pytest.approx(single_metrics['plcc'], abs=1e-4)
