"""A training killed mid-way resumes from its last checkpoint exactly."""
import os.path as osp

import pytest
import torch

from tool_runner import DEMO_CONFIG, python_tool, run_tool

CRASH_HOOK = '''
import os
import signal

from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS


@HOOKS.register_module()
class KillAfterIter(Hook):
    """Kill the process (no clean-up at all) after a given iteration."""

    priority = 'LOWEST'  # after CheckpointHook has saved

    def __init__(self, iters):
        self.iters = iters

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter + 1 == self.iters and not runner.cfg.get('resume'):
            os.kill(os.getpid(), signal.SIGKILL)
'''


def write_config(path, data_root, kill_at=None):
    """An iteration-based, augmentation-free variant of the demo config."""
    hooks = f'[dict(type="KillAfterIter", iters={kill_at})]' \
        if kill_at else '[]'
    imports = "['fbp_mm', 'crash_hook']" if kill_at else "['fbp_mm']"
    path.write_text(f'''
_base_ = [{DEMO_CONFIG!r}]
custom_imports = dict(imports={imports}, allow_failed_imports=False)
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(32, 32)),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=8, num_workers=0, persistent_workers=False,
    dataset=dict(data_root={data_root!r}, pipeline=pipeline))
val_dataloader = None
val_evaluator = None
val_cfg = None
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=12)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=False, begin=0,
                        end=12, eta_min=1e-5)]
default_hooks = dict(
    checkpoint=dict(_delete_=True, type='CheckpointHook', interval=4,
                    by_epoch=False),
    logger=dict(interval=1))
log_processor = dict(by_epoch=False)
custom_hooks = {hooks}
randomness = dict(seed=0)
''')


def test_killed_training_resumes_with_same_state(demo_faces, tmp_path):
    (tmp_path / 'crash_hook.py').write_text(CRASH_HOOK)
    env = dict(PYTHONPATH=str(tmp_path))

    write_config(tmp_path / 'straight.py', demo_faces)
    straight = str(tmp_path / 'straight')
    run_tool(python_tool('train.py', str(tmp_path / 'straight.py'),
                         '--work-dir', straight), env=env)

    write_config(tmp_path / 'crashing.py', demo_faces, kill_at=6)
    crashed = str(tmp_path / 'crashed')
    proc = run_tool(python_tool('train.py', str(tmp_path / 'crashing.py'),
                                '--work-dir', crashed),
                    env=env, check=False)
    assert proc.returncode != 0  # killed at iteration 6
    assert osp.isfile(osp.join(crashed, 'iter_4.pth'))
    assert not osp.exists(osp.join(crashed, 'iter_8.pth'))

    proc = run_tool(python_tool('train.py', str(tmp_path / 'crashing.py'),
                                '--work-dir', crashed, '--resume'), env=env)
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 4' in log
    # the runner's checkpoint was read weights-only (allow-listed types)
    assert 'Loads checkpoint by local_trusted backend' in log
    assert 'loaded in full' not in log

    a = torch.load(osp.join(straight, 'iter_12.pth'), weights_only=False)
    b = torch.load(osp.join(crashed, 'iter_12.pth'), weights_only=False)
    assert b['meta']['iter'] == 12
    for key, value in a['state_dict'].items():
        torch.testing.assert_close(
            b['state_dict'][key], value, rtol=1e-4, atol=1e-5, msg=key)
    # Adam moments continued from the checkpoint, not from zero
    state_a = a['optimizer']['state']
    state_b = b['optimizer']['state']
    assert state_a.keys() == state_b.keys()
    for idx in state_a:
        assert state_b[idx]['step'] == pytest.approx(12)
        torch.testing.assert_close(
            state_b[idx]['exp_avg_sq'], state_a[idx]['exp_avg_sq'],
            rtol=1e-3, atol=1e-8)


def test_resume_from_named_checkpoint(demo_faces, tmp_path):
    write_config(tmp_path / 'cfg.py', demo_faces)
    work = str(tmp_path / 'work')
    run_tool(python_tool('train.py', str(tmp_path / 'cfg.py'), '--work-dir',
                         work, '--cfg-options', 'train_cfg.max_iters=4'))
    proc = run_tool(python_tool(
        'train.py', str(tmp_path / 'cfg.py'), '--work-dir', work, '--resume',
        osp.join(work, 'iter_4.pth'), '--cfg-options',
        'train_cfg.max_iters=8'))
    assert 'resumed epoch: 0, iter: 4' in proc.stdout + proc.stderr
    assert osp.isfile(osp.join(work, 'iter_8.pth'))
