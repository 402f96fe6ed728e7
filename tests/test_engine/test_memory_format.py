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


def test_config_switch_when_building_for_inference():
    cfg = Config.fromfile(CONFIG)
    cfg.channels_last = True
    model = build_model_from_config(cfg)
    assert model.backbone.conv1.weight.is_contiguous(
        memory_format=torch.channels_last)
    assert model.data_preprocessor(batch())['inputs'].is_contiguous(
        memory_format=torch.channels_last)
    assert not build_model_from_config(
        CONFIG).backbone.conv1.weight.is_contiguous(
            memory_format=torch.channels_last)


FIQA_STUDENT = osp.join(REPO_ROOT, 'configs', 'fiqa',
                        'edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py')


def test_edgenext_student_stays_channels_last_through_its_norms():
    from fbp_mm.models.utils import LayerNorm2dKeepLayout
    cfg = Config.fromfile(FIQA_STUDENT)
    cfg.model.backbone.init_cfg = None
    assert cfg.channels_last
    torch.manual_seed(0)
    model = build_model_from_config(cfg)
    norms = [m for m in model.modules()
             if isinstance(m, LayerNorm2dKeepLayout)]
    assert len(norms) >= 4
    seen = []
    hooks = [
        conv.register_forward_pre_hook(
            lambda m, args: seen.append(args[0].stride(1) == 1))
        for conv in model.modules() if isinstance(conv, torch.nn.Conv2d)
    ]
    raw = dict(inputs=[
        torch.randint(0, 255, (3, 96, 96), dtype=torch.uint8)
        for _ in range(2)
    ])
    with torch.no_grad():
        fast = model(**model.data_preprocessor(dict(raw)), mode='tensor')
    for hook in hooks:
        hook.remove()
    # every convolution reads channels-last memory (channels adjacent; the
    # split-channel depthwise convolutions of the SDTA blocks read a slice
    # of such a tensor): no layout copies between norms and convolutions
    assert len(seen) == 20 and all(seen), seen
    # the scores of MMPretrain's LN2d in the default layout
    cfg.channels_last = False
    cfg.model.backbone.norm_cfg = dict(type='LN2d', eps=1e-6)
    plain_model = build_model_from_config(cfg)
    plain_model.load_state_dict(model.state_dict())
    with torch.no_grad():
        plain = plain_model(
            **plain_model.data_preprocessor(dict(raw)), mode='tensor')
    torch.testing.assert_close(fast, plain, rtol=1e-4, atol=1e-5)


def test_keep_layout_norm_is_mmpretrain_ln2d_in_either_layout():
    from mmpretrain.models.utils import LayerNorm2d

    from fbp_mm.models.utils import LayerNorm2dKeepLayout
    torch.manual_seed(0)
    ours, reference = LayerNorm2dKeepLayout(6, eps=1e-6), LayerNorm2d(
        6, eps=1e-6)
    torch.nn.init.normal_(ours.weight)
    torch.nn.init.normal_(ours.bias)
    reference.load_state_dict(ours.state_dict())
    x = torch.randn(2, 6, 5, 7)
    last = x.contiguous(memory_format=torch.channels_last)
    out_first, out_last = ours(x), ours(last)
    assert out_first.is_contiguous()
    assert out_last.is_contiguous(memory_format=torch.channels_last)
    assert not out_last.is_contiguous()
    assert torch.equal(out_first, reference(x))
    torch.testing.assert_close(out_last, reference(last))
    # MMPretrain's own norm turns channels-last back: the copies avoided
    assert reference(last).is_contiguous()
    rows = torch.randn(2, 5, 7, 6)
    assert torch.equal(ours(rows, data_format='channel_last'),
                       reference(rows, data_format='channel_last'))
