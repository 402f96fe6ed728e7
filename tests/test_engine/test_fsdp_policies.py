"""FSDP: the wrap policy by name, the FSDP config and its strategy, and the
runner's refusal of an FSDP model wrapper."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine._strategy import FSDPStrategy
from mmengine.registry import FUNCTIONS, STRATEGIES
from mmpretrain.models.backbones.vision_transformer import \
    TransformerEncoderLayer

from fbp_mm.engine import FbpFSDPStrategy, FbpRunner

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


def test_fsdp_config_shards_through_the_strategy():
    cfg = Config.fromfile(FSDP_CONFIG)
    assert cfg.runner_type == 'FlexibleRunner'
    assert STRATEGIES.get(cfg.strategy.type) is FbpFSDPStrategy
    assert cfg.strategy.state_dict_cfg == 'full'
    policy = cfg.strategy.model_wrapper.auto_wrap_policy['type']
    assert FUNCTIONS.get(policy) is not None
    # the rest is the DDP config's
    base = Config.fromfile(FSDP_CONFIG.replace('_fsdp', ''))
    assert cfg.model == base.model and 'strategy' not in base


def test_runner_refuses_an_fsdp_model_wrapper_before_any_work(tmp_path):
    cfg = Config.fromfile(FSDP_CONFIG.replace('_fsdp', ''))
    cfg.model_wrapper_cfg = dict(type='MMFullyShardedDataParallel')
    cfg.work_dir = str(tmp_path / 'work')
    with pytest.raises(ValueError, match=r"'MMFullyShardedDataParallel'.*"
                       r"initialises the weights after sharding.*"
                       r"runner_type = 'FlexibleRunner'.*FbpFSDPStrategy"):
        FbpRunner.from_cfg(cfg)
    assert not (tmp_path / 'work').exists()


def test_strategy_puts_the_shards_on_the_cpu_without_cuda(
        monkeypatch, tmp_path):
    built = {}

    def fake_wrap(self, model):
        built.update(self.model_wrapper)
        return model

    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    monkeypatch.setattr(FSDPStrategy, '_wrap_model', fake_wrap)
    strategy = FbpFSDPStrategy(model_wrapper=dict(use_orig_params=True),
                               work_dir=str(tmp_path))
    strategy._wrap_model(torch.nn.Linear(2, 2))
    assert built == dict(use_orig_params=True,
                         device_id=torch.device('cpu'))
