"""channels_last = True: weights and preprocessed batches channels-last."""
import os.path as osp

import torch
from mmengine.config import Config

from fbp_mm.apis import build_model_from_config
from fbp_mm.engine import FbpRunner, use_channels_last

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'fbp',
                  'resnet18-w16_1xb32-20e_demo-faces.py')


def batch():
    return dict(inputs=[torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8)
                        for _ in range(2)])


def test_same_scores_with_channels_last_weights_and_batches():
    torch.manual_seed(0)
    model = build_model_from_config(CONFIG).eval()
    data = batch()
    with torch.no_grad():
        plain = model(**model.data_preprocessor(dict(data)), mode='tensor')
        use_channels_last(model)
        conv = model.backbone.conv1.weight
        assert conv.is_contiguous(memory_format=torch.channels_last)
        packed = model.data_preprocessor(dict(data))
        assert packed['inputs'].is_contiguous(
            memory_format=torch.channels_last)
        fast = model(**packed, mode='tensor')
    torch.testing.assert_close(fast, plain, rtol=1e-4, atol=1e-5)
    use_channels_last(model)  # idempotent: one hook
    assert len(model.data_preprocessor._forward_hooks) == 1


def test_config_switch_in_the_runner(tmp_path):
    cfg = Config.fromfile(CONFIG)
    cfg.work_dir = str(tmp_path)
    cfg.channels_last = True
    runner = FbpRunner.from_cfg(cfg)
    assert runner.model.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    cfg.channels_last = False
    cfg.work_dir = str(tmp_path / 'plain')
    plain = FbpRunner.from_cfg(cfg)
    assert not plain.model.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
