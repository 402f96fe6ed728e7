"""Fully sharded training (FSDP config's strategy) in two CPU processes:
full checkpoints the plain model loads, and a resume that restores the
optimizer."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from tool_runner import REPO_ROOT, run_tool, torchrun

FSDP_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'fbp',
    'ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces_fsdp.py')
TINY_MS_MAE = osp.join(REPO_ROOT, 'configs', 'fbp', 'demo',
                       'ms-mae_vit-tiny-p8_1xb64-8e_demo-faces.py')


def load(path):
    return torch.load(path, map_location='cpu', weights_only=False)


def group_settings(checkpoint):
    """Parameter name -> (lr, weight decay) of a checkpoint's optimizer."""
    return {
        g['params'][0]: (g['lr'], g['weight_decay'])
        for g in checkpoint['optimizer']['param_groups']
    }


@pytest.mark.skipif(
    not torch.distributed.is_gloo_available(), reason='needs gloo')
def test_fsdp_trains_saves_full_checkpoints_and_resumes(demo_faces, tmp_path):
    fsdp = Config.fromfile(FSDP_CONFIG)
    # the tiny demo MS-MAE trained the way the FSDP config trains ViT-B
    config = tmp_path / 'tiny_fsdp.py'
    config.write_text(
        f'_base_ = [{TINY_MS_MAE!r}]\n'
        f'runner_type = {fsdp.runner_type!r}\n'
        f'strategy = {fsdp.strategy.to_dict()!r}\n')
    options = [
        f'train_dataloader.dataset.data_root={demo_faces}',
        'train_dataloader.batch_size=4', 'train_cfg.max_epochs=2',
        'default_hooks.checkpoint.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=2'
    ]
    work = tmp_path / 'work'
    proc = run_tool(torchrun('train.py', str(config), '--work-dir', str(work),
                             '--cfg-options', *options, port=29641))
    assert 'gloo process group' in proc.stdout + proc.stderr
    # 20 unlabeled faces, 2 processes of 4: 3 steps an epoch
    iters = 3
    full = load(work / 'epoch_2.pth')

    # full (unsharded) weights under the plain model's names and shapes
    from fbp_mm.apis import build_model_from_config
    cfg = Config.fromfile(TINY_MS_MAE)
    plain = build_model_from_config(cfg)
    assert {k: tuple(v.shape) for k, v in full['state_dict'].items()} == \
        {k: tuple(v.shape) for k, v in plain.state_dict().items()}
    trainable = {
        n: p
        for n, p in plain.named_parameters() if p.requires_grad
    }
    state = full['optimizer']['state']
    assert set(state) == set(trainable)
    for name, param in trainable.items():
        assert state[name]['exp_avg'].shape == param.shape
        assert state[name]['step'].item() == 2 * iters

    # resume from epoch 1 in another work dir: only epoch 2 runs, and the
    # AdamW state goes on from epoch 1's (step 2 * iters, not iters)
    resumed_dir = tmp_path / 'resumed'
    proc = run_tool(torchrun(
        'train.py', str(config), '--work-dir', str(resumed_dir), '--resume',
        str(work / 'epoch_1.pth'), '--cfg-options', *options, port=29642))
    assert 'resumed epoch: 1, iter: 3' in proc.stdout + proc.stderr
    assert not (resumed_dir / 'epoch_1.pth').exists()
    resumed = load(resumed_dir / 'epoch_2.pth')
    for name in trainable:
        assert resumed['optimizer']['state'][name]['step'].item() == \
            2 * iters
    assert group_settings(resumed) == group_settings(full)
    # and so does the learning rate the log shows as base_lr
    assert resumed['optimizer']['base_param_settings']['lr'] == \
        full['optimizer']['base_param_settings']['lr']
    assert resumed['meta']['iter'] == 2 * iters
