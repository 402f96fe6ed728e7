import pytest
import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import fbp_mm  # noqa: F401  (registers the modules)
from fbp_mm.models.necks import MultiLevelFusionNeck

TINY = dict(
    embed_dims=64, num_layers=2, num_heads=2, feedforward_channels=256)


def build_neck(**kwargs) -> MultiLevelFusionNeck:
    neck = MODELS.build(dict(type='MultiLevelFusionNeck', **kwargs))
    neck.init_weights()
    return neck


@pytest.mark.parametrize('fusion', ['weighted_sum', 'concat'])
def test_fusion_modes_give_one_vector(fusion):
    neck = build_neck(
        in_channels=16, num_levels=3, out_channels=24, fusion=fusion)
    feats = tuple(torch.randn(4, 16) for _ in range(3))
    outs = neck(feats)
    assert isinstance(outs, tuple) and len(outs) == 1
    assert outs[0].shape == (4, 24)


def test_weighted_sum_weights_are_learnable_and_normalised():
    neck = build_neck(in_channels=8, num_levels=3)
    assert neck.out_channels == 8
    weights = neck.level_weights
    assert weights.shape == (3, )
    assert weights.sum().item() == pytest.approx(1.0)
    assert torch.allclose(weights, torch.full((3, ), 1 / 3))
    assert any(p is neck.level_logits for p in neck.parameters())

    feats = [torch.randn(2, 8) for _ in range(3)]
    neck(feats)[0].sum().backward()
    assert neck.level_logits.grad is not None
    assert neck.level_logits.grad.abs().sum() > 0

    # Weights pick levels: all mass on level 1 returns that level.
    neck = build_neck(in_channels=8, num_levels=3, norm=False)
    with torch.no_grad():
        neck.level_logits.copy_(torch.tensor([-1e4, 1e4, -1e4]))
    assert neck.level_weights.sum().item() == pytest.approx(1.0)
    assert torch.allclose(neck(feats)[0], feats[1], atol=1e-6)


def test_weighted_sum_projects_levels_of_other_widths():
    neck = build_neck(in_channels=[8, 16, 32], out_channels=16)
    assert isinstance(neck.projs[0], torch.nn.Linear)
    assert isinstance(neck.projs[1], torch.nn.Identity)
    feats = [torch.randn(2, c) for c in (8, 16, 32)]
    assert neck(feats)[0].shape == (2, 16)


def test_concat_default_width_and_norm():
    neck = build_neck(in_channels=[8, 12], fusion='concat')
    assert neck.out_channels == 12
    assert neck.proj.in_features == 20
    assert isinstance(neck.norms[0], torch.nn.LayerNorm)
    plain = build_neck(in_channels=[8, 12], fusion='concat', norm=False)
    assert isinstance(plain.norms[0], torch.nn.Identity)
    with pytest.raises(AttributeError):
        plain.level_weights


def test_pools_every_layout():
    neck = build_neck(in_channels=8, num_levels=3, raw_pool='mean')
    tokens = torch.randn(2, 5, 8)
    assert torch.allclose(neck.pool(tokens), tokens.mean(1))
    assert torch.allclose(
        neck.pool(torch.ones(2, 8, 3, 3) * 2), torch.full((2, 8), 2.))
    patch = build_neck(in_channels=8, num_levels=1, raw_pool='patch_mean')
    assert torch.allclose(patch.pool(tokens), tokens[:, 1:].mean(1))
    cls = build_neck(in_channels=8, num_levels=1, raw_pool='cls')
    assert torch.equal(cls.pool(tokens), tokens[:, 0])
    feats = (torch.randn(2, 8), torch.randn(2, 8, 4, 4), tokens)
    assert neck(feats)[0].shape == (2, 8)


def test_invalid_inputs():
    with pytest.raises(ValueError, match='num_levels'):
        MultiLevelFusionNeck(in_channels=8)
    with pytest.raises(ValueError, match='num_levels'):
        MultiLevelFusionNeck(in_channels=[8, 8], num_levels=3)
    with pytest.raises(ValueError, match='fusion'):
        MultiLevelFusionNeck(in_channels=8, num_levels=2, fusion='max')
    neck = MultiLevelFusionNeck(in_channels=8, num_levels=2)
    with pytest.raises(ValueError, match='levels'):
        neck([torch.randn(2, 8)])
    with pytest.raises(ValueError, match='channels'):
        neck([torch.randn(2, 8), torch.randn(2, 4)])


@pytest.mark.parametrize('out_type',
                         ['cls_token', 'featmap', 'avg_featmap', 'raw'])
@pytest.mark.parametrize('fusion', ['weighted_sum', 'concat'])
def test_on_vision_transformer_outputs(out_type, fusion):
    vit = MODELS.build(
        dict(
            type='VisionTransformer',
            arch=TINY,
            img_size=32,
            patch_size=8,
            out_indices=(0, 1),
            out_type=out_type))
    feats = vit(torch.randn(2, 3, 32, 32))
    assert len(feats) == 2
    neck = build_neck(
        in_channels=64,
        num_levels=2,
        out_channels=32,
        fusion=fusion,
        raw_pool='patch_mean')
    assert neck(feats)[0].shape == (2, 32)


def test_classifier_with_multi_scale_mae_vit_and_regression_head():
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(
                type='MultiScaleMAEViT',
                arch='tiny',
                img_size=32,
                patch_size=8,
                out_type='cls_token',
                out_indices=(0, 1)),
            neck=dict(
                type='MultiLevelFusionNeck',
                in_channels=64,
                num_levels=2,
                out_channels=64),
            head=dict(type='RegressionHead', in_channels=64)))
    model.init_weights()
    x = torch.randn(2, 3, 32, 32)
    assert model(x, mode='tensor').shape == (2, 1)
    samples = [DataSample().set_gt_score([s]) for s in (2.0, 4.0)]
    losses = model(x, samples, mode='loss')
    sum(losses.values()).backward()
    assert model.neck.level_logits.grad is not None
