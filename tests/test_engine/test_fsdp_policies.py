"""FSDP: the wrap policy by name, the FSDP config, its error on a CPU."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import FUNCTIONS
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer

from fbp_mm.utils.launch import setup_cpu_distributed

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FSDP_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'fbp',
    'ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces_fsdp.py')


def test_policy_wraps_each_transformer_layer_and_nothing_else():
    policy = FUNCTIONS.get('transformer_layer_wrap_policy')
    layer = TransformerEncoderLayer(embed_dims=16, num_heads=2,
                                    feedforward_channels=32)
    assert policy(torch.nn.Linear(2, 2), recurse=True, nonwrapped_numel=4)
    assert policy(layer, recurse=False, nonwrapped_numel=10**6)
    assert not policy(torch.nn.Linear(2, 2), recurse=False,
                      nonwrapped_numel=10**9)
    assert not policy(layer, recurse=False, nonwrapped_numel=1,
                      layer_types=('Linear', ))


def test_fsdp_config_names_the_registered_policy():
    cfg = Config.fromfile(FSDP_CONFIG)
    wrapper = cfg.model_wrapper_cfg
    assert wrapper.type == 'MMFullyShardedDataParallel'
    assert FUNCTIONS.get(wrapper.auto_wrap_policy['type']) is not None
    # the rest is the DDP config's
    base = Config.fromfile(FSDP_CONFIG.replace('_fsdp', ''))
    assert cfg.model == base.model and 'model_wrapper_cfg' not in base


@pytest.mark.skipif(torch.cuda.is_available(), reason='checks CPU machines')
def test_fsdp_on_a_cpu_machine_says_so_before_any_work(monkeypatch):
    cfg = Config.fromfile(FSDP_CONFIG)
    with pytest.raises(RuntimeError, match=r"'MMFullyShardedDataParallel' "
                       r'\(FSDP\) needs GPUs.*model_wrapper_cfg=None'):
        setup_cpu_distributed(cfg, 'pytorch')
    assert not torch.distributed.is_initialized()
