"""tools/train.py and tools/test.py end to end on generated faces."""
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from scipy import stats

from tool_runner import DEMO_CONFIG, REPO_ROOT, python_tool, run_tool

DEMO_DIR = osp.join(REPO_ROOT, 'configs', 'fbp', 'demo')
KD_CONFIG = osp.join(DEMO_DIR, 'mae_ms_kd_demo-faces.py')
TEACHER_CONFIG = osp.join(DEMO_DIR,
                          'ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py')

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
            'test_dataloader.num_workers=0', 'lod_from=nothing.pth'))
    # a misspelt option is named, with the key it resembles
    assert ("--cfg-options lod_from: the config has no key 'lod_from' (did "
            "you mean 'load_from'?)") in proc.stdout + proc.stderr
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
    # one picture per test image, under its path below the data root (so
    # same-name files of two folders would stay apart)
    shown = sorted(tmp_path.glob('*/shown/**/*.jpg'))
    assert len(shown) == 200
    assert {p.name for p in shown} == {osp.basename(p['img_path'])
                                       for p in preds}
    folder = next(tmp_path.glob('*/shown'))
    for picture in shown[:3]:
        relative = str(picture.relative_to(folder))
        assert osp.isfile(osp.join(demo_faces, relative)), relative


def test_validation_saves_best_plcc_checkpoint(trained):
    best = [f for f in __import__('os').listdir(trained)
            if f.startswith('best_plcc_epoch_')]
    assert len(best) == 1


def test_out_item_metrics(trained, demo_faces, tmp_path):
    # a format --out cannot write is refused before the test runs
    for item, name in (('metrics', 'metrics.csv'), ('pred', 'preds.json')):
        proc = run_tool(
            python_tool('test.py', DEMO_CONFIG,
                        osp.join(trained, 'epoch_12.pth'), '--work-dir',
                        str(tmp_path), '--out', str(tmp_path / name),
                        '--out-item', item),
            check=False)
        assert proc.returncode != 0
        assert f'--out-item {item} is written as' in proc.stderr
        assert 'nothing was run' in proc.stderr
        assert '| metric' not in proc.stdout
    out = str(tmp_path / 'metrics.json')
    plots = tmp_path / 'plots'
    proc = run_tool(
        python_tool(
            'test.py', DEMO_CONFIG, osp.join(trained, 'epoch_12.pth'),
            '--work-dir', str(tmp_path), '--out', out, '--out-item',
            'metrics', '--plot-dir', str(plots), '--cfg-options',
            f'test_dataloader.dataset.data_root={demo_faces}',
            'test_dataloader.num_workers=0'))
    import json
    with open(out) as f:
        metrics = json.load(f)
    assert set(metrics) >= {'plcc', 'srcc', 'krcc', 'mae', 'rmse'}
    # --plot-dir without predictions to --out: they are dumped beside the
    # plots, whose scatter title has the test's PLCC
    from fbp_mm.visualization import load_prediction_file
    pred, _ = load_prediction_file(str(plots / 'predictions.pkl'))
    assert len(pred) == 200
    for name in ('scatter', 'errors', 'error_per_bin'):
        assert f'plot: {plots / name}.png' in proc.stdout
        assert (plots / f'{name}.png').stat().st_size > 5000


def few_test_faces(data_root, n=16):
    return [
        '--cfg-options', f'test_dataloader.dataset.data_root={data_root}',
        f'test_dataloader.dataset.indices={n}',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False'
    ]


def test_checkpoint_of_another_model_is_refused(demo_faces, tmp_path):
    from mmpretrain.registry import MODELS
    other = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(type='MobileNetV2', widen_factor=0.25),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=1,
                      in_channels=1280)))
    ckpt = str(tmp_path / 'mobilenet.pth')
    torch.save({'state_dict': other.state_dict()}, ckpt)

    args = python_tool('test.py', DEMO_CONFIG, ckpt, '--work-dir',
                       str(tmp_path)) + few_test_faces(demo_faces)
    proc = run_tool(args, check=False)
    assert proc.returncode != 0
    error = proc.stderr.strip().splitlines()[-1]
    assert error.startswith('fbp_mm.engine.state_dict_loading.'
                            'CheckpointMismatchError: Checkpoint '
                            f'{ckpt} does not fit the model: ')
    assert 'missing keys (in the model, not in the checkpoint): ' \
        'backbone.conv1.weight' in error
    assert 'unexpected keys (in the checkpoint, not in the model): ' \
        'backbone.conv1.conv.weight' in error
    assert '--allow-partial-load' in error
    assert '| plcc' not in proc.stdout  # no metrics of a random model

    proc = run_tool(args + ['--allow-partial-load'])
    assert '| plcc' in proc.stdout
    log = proc.stdout + proc.stderr
    assert 'WARNING - Checkpoint ' + ckpt + ' does not fit the model' in log
    assert 'Only the weights that fit were loaded.' in log


def test_ddp_distiller_checkpoint_loads_with_distiller_config(
        demo_faces, tmp_path):
    """A distiller checkpoint saved from DDP (``module.`` keys) is tested
    strictly with the distiller config."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    teacher_cfg = Config.fromfile(TEACHER_CONFIG)
    teacher = MODELS.build(teacher_cfg.model)
    teacher_ckpt = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)

    config = tmp_path / 'kd.py'
    config.write_text(f'''
_base_ = [{KD_CONFIG!r}]
model = dict(teacher=dict(cfg_path={TEACHER_CONFIG!r}),
             teacher_ckpt={teacher_ckpt!r})
''')
    cfg = Config.fromfile(str(config))
    distiller = MODELS.build(cfg.model)
    state = {f'module.{k}': v for k, v in distiller.state_dict().items()}
    assert any(k.startswith('module.teacher.') for k in state)
    ckpt = str(tmp_path / 'distiller.pth')
    torch.save({'state_dict': state, 'meta': dict(epoch=1)}, ckpt)

    proc = run_tool(
        python_tool('test.py', str(config), ckpt, '--work-dir',
                    str(tmp_path)) + few_test_faces(demo_faces))
    assert '| plcc' in proc.stdout
    assert 'does not fit the model' not in proc.stdout + proc.stderr
