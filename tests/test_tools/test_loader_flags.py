"""Dataloader flags the base configs set for GPUs, adjusted on a CPU."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from fbp_mm.utils.launch import (disable_persistent_workers_without_workers,
                                 disable_pin_memory_without_gpu)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'fbp',
                  'resnet50_1xb32-60e_scut-fbp5500-6040.py')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def test_base_configs_pin_memory_and_keep_workers():
    cfg = Config.fromfile(CONFIG)
    for name in LOADERS:
        assert cfg[name].pin_memory and cfg[name].persistent_workers, name
        assert cfg[name].num_workers > 0


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks CPU machines')
def test_cpu_machine_turns_pinning_off_and_workers_follow_num_workers():
    cfg = Config.fromfile(CONFIG)
    cfg.val_dataloader.num_workers = 0
    disable_pin_memory_without_gpu(cfg)
    disable_persistent_workers_without_workers(cfg)
    assert [cfg[n].pin_memory for n in LOADERS] == [False] * 3
    assert [cfg[n].persistent_workers for n in LOADERS] == [True, False, True]
