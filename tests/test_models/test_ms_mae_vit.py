import os.path as osp

import pytest
import torch
from mmengine import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner.checkpoint import _load_checkpoint_with_prefix
from mmpretrain.models.selfsup.mae import MAEViT
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import fbp_mm  # noqa: F401  (registers modules and the checkpoint loader)
from fbp_mm.models.backbones import MultiScaleMAEViT

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PRETRAIN_CFG = osp.join(REPO_ROOT, 'configs', '_base_', 'models',
                        'ms-mae_vit-tiny-p8_pretrain.py')
TINY = dict(
    embed_dims=64, num_layers=2, num_heads=2, feedforward_channels=256)


def build_backbone(**kwargs) -> MultiScaleMAEViT:
    cfg = dict(
        type='MultiScaleMAEViT',
        arch='tiny',
        img_size=32,
        patch_size=8,
        ms_branch_channels=8,
        ms_out_channels=8)
    cfg.update(kwargs)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def patch_slice(index: int, grid: int, patch: int):
    row, col = divmod(index, grid)
    return (slice(row * patch, (row + 1) * patch),
            slice(col * patch, (col + 1) * patch))


def masked_forward(model, x, seed=0):
    torch.manual_seed(seed)
    with torch.no_grad():
        return model(x, mask=True)


def test_arch_zoo_and_custom_arch():
    for name, dims in (('tiny', (64, 2)), ('small', (384, 12)),
                       ('base', (768, 12))):
        settings = MultiScaleMAEViT.arch_zoo[name]
        assert (settings['embed_dims'], settings['num_layers']) == dims
    model = MultiScaleMAEViT(
        arch=dict(
            embed_dims=32, num_layers=1, num_heads=2,
            feedforward_channels=64),
        img_size=16,
        patch_size=8)
    assert model.embed_dims == 32 and len(model.layers) == 1
    # The patch embedding reads the stem output, not the RGB image.
    assert model.patch_embed.projection.in_channels == 16
    assert len(model.ms_stem.branches) == 3


def test_masked_patches_do_not_reach_visible_tokens(monkeypatch):
    model = build_backbone()
    model.eval()
    x = torch.randn(2, 3, 32, 32)
    latent, mask, _ = masked_forward(model, x)

    # Overwrite every pixel of every masked patch with other values.
    x_masked_changed = x.clone()
    for n in range(2):
        for idx in mask[n].nonzero().flatten().tolist():
            rows, cols = patch_slice(idx, 4, 8)
            x_masked_changed[n, :, rows, cols] = torch.randn(3, 8, 8) * 10
    assert not torch.equal(x, x_masked_changed)
    latent2, mask2, _ = masked_forward(model, x_masked_changed)
    assert torch.equal(mask, mask2)
    assert torch.equal(latent, latent2)

    # One pixel of a visible patch does change the latent.
    visible = (mask[0] == 0).nonzero().flatten()[0].item()
    rows, cols = patch_slice(visible, 4, 8)
    x_visible_changed = x.clone()
    x_visible_changed[0, 0, rows.start, cols.start] += 5.
    latent3, _, _ = masked_forward(model, x_visible_changed)
    assert not torch.allclose(latent[0], latent3[0], atol=1e-6)
    # Image 1 is untouched, so its tokens are unchanged.
    assert torch.equal(latent[1], latent3[1])

    # Control: without zeroing the masked pixels the stem would leak them.
    monkeypatch.setattr(model, 'mask_pixels', lambda img, m: img)
    leaky, _, _ = masked_forward(model, x)
    leaky2, _, _ = masked_forward(model, x_masked_changed)
    assert not torch.allclose(leaky, leaky2, atol=1e-6)


def test_masked_forward_matches_maevit_shapes_and_mask():
    ours = build_backbone()
    ref = MAEViT(arch=TINY, img_size=32, patch_size=8, mask_ratio=0.75)
    ref.init_weights()
    x = torch.randn(3, 3, 32, 32)
    latent, mask, ids_restore = masked_forward(ours, x, seed=3)
    ref_latent, ref_mask, ref_ids = masked_forward(ref, x, seed=3)
    assert latent.shape == ref_latent.shape == (3, 1 + 4, 64)
    assert mask.shape == ref_mask.shape == (3, 16)
    assert ids_restore.shape == ref_ids.shape == (3, 16)
    # Same random draws as MAEViT.random_masking.
    assert torch.equal(mask, ref_mask)
    assert torch.equal(ids_restore, ref_ids)
    assert torch.equal(mask.sum(dim=1), torch.full((3, ), 12.))
    # ids_restore is a permutation of the patches.
    assert torch.equal(ids_restore.sort(dim=1).values,
                       torch.arange(16).expand(3, -1))

    half = build_backbone(mask_ratio=0.5)
    latent, mask, _ = masked_forward(half, x)
    assert latent.shape == (3, 1 + 8, 64)
    assert torch.equal(mask.sum(dim=1), torch.full((3, ), 8.))


def test_masked_forward_needs_img_size():
    model = build_backbone()
    with pytest.raises(ValueError, match='img_size'):
        model(torch.randn(1, 3, 40, 40), mask=True)


@pytest.mark.parametrize('out_type,shape', [
    ('raw', (2, 17, 64)),
    ('cls_token', (2, 64)),
    ('featmap', (2, 64, 4, 4)),
    ('avg_featmap', (2, 64)),
])
def test_unmasked_forward_out_types(out_type, shape):
    model = build_backbone(out_type=out_type, out_indices=(0, 1))
    x = torch.randn(2, 3, 32, 32)
    for mask in (None, False):
        outs = model(x, mask=mask)
        assert isinstance(outs, tuple) and len(outs) == 2
        assert all(o.shape == shape for o in outs)
    # Last layer only by default.
    assert len(build_backbone(out_type=out_type)(x, mask=None)) == 1


def test_default_mode_follows_mask_by_default():
    x = torch.randn(2, 3, 32, 32)
    plain = build_backbone(out_type='cls_token')
    outs = plain(x)
    assert len(outs) == 1 and outs[0].shape == (2, 64)
    masking = build_backbone(mask_by_default=True)
    latent, mask, ids_restore = masking(x)
    assert latent.shape == (2, 5, 64) and mask.shape == (2, 16)
    # mask=None never masks (MAE.extract_feat relies on it).
    assert masking(x, mask=None)[0].shape == (2, 17, 64)
    with pytest.raises(ValueError, match='mask mode'):
        masking(x, mask='always')


def test_unmasked_forward_other_resolution():
    model = build_backbone(out_type='featmap')
    assert model(torch.randn(1, 3, 48, 48), mask=None)[0].shape == (1, 64, 6,
                                                                     6)


@pytest.mark.parametrize('kwargs', [
    dict(ms_fusion='sum', ms_kernel_sizes=(3, 5), ms_dilations=(1, 2)),
    dict(ms_norm_cfg=dict(type='LN2d'), ms_kernel_sizes=(1, 3, 5, 7)),
])
def test_stem_variants(kwargs):
    model = build_backbone(**kwargs)
    latent, mask, _ = masked_forward(model, torch.randn(2, 3, 32, 32))
    assert latent.shape == (2, 5, 64)
    assert model(torch.randn(2, 3, 32, 32), mask=None)[0].shape == (2, 17, 64)


@pytest.mark.parametrize('kwargs', [
    dict(),
    dict(ms_fusion='sum', ms_kernel_sizes=(3, 5), ms_dilations=(1, 2)),
    dict(ms_norm_cfg=dict(type='LN2d'), ms_kernel_sizes=(1, 3, 5, 7)),
])
def test_visible_only_stem_equals_whole_image_stem(kwargs):
    fast = build_backbone(**kwargs)
    assert fast.ms_visible_only
    reference = build_backbone(ms_visible_only=False, **kwargs)
    reference.load_state_dict(fast.state_dict())
    x = torch.randn(3, 3, 32, 32)
    results = []
    for model in (fast, reference):
        torch.manual_seed(5)
        latent, mask, ids_restore = model(x, mask=True)
        (latent * torch.linspace(-1, 1, latent.shape[-1])).sum().backward()
        grads = {
            name: param.grad.clone()
            for name, param in model.named_parameters()
            if param.grad is not None
        }
        results.append((latent.detach(), mask, ids_restore, grads))
    (latent, mask, ids_restore, grads), (ref_latent, ref_mask, ref_ids,
                                         ref_grads) = results
    assert torch.equal(mask, ref_mask) and torch.equal(ids_restore, ref_ids)
    # Visible patches on the image border see the stem's zero padding, the
    # others see their (masked or visible) neighbours through the halo.
    assert torch.allclose(latent, ref_latent, atol=1e-5)
    assert grads.keys() == ref_grads.keys()
    assert any(name.startswith('ms_stem.branches') for name in grads)
    for name, grad in grads.items():
        assert torch.allclose(grad, ref_grads[name], atol=1e-4), name
    # The halo matters: each patch alone, zero-padded, gives other tokens.
    r = fast.ms_stem.radius
    fast.ms_stem.forward_crops = lambda crops: fast.ms_stem(
        crops[..., r:-r, r:-r])
    torch.manual_seed(5)
    with torch.no_grad():
        no_halo = fast(x, mask=True)[0]
    assert not torch.allclose(no_halo, ref_latent, atol=1e-3)


def test_stem_rejects_leaky_or_invalid_settings():
    with pytest.raises(ValueError, match='per-pixel'):
        build_backbone(ms_norm_cfg=dict(type='BN'))
    with pytest.raises(ValueError, match='odd'):
        build_backbone(ms_kernel_sizes=(3, 4))
    with pytest.raises(ValueError, match='dilation'):
        build_backbone(ms_kernel_sizes=(3, 5), ms_dilations=(1, ))
    with pytest.raises(ValueError, match='fusion'):
        build_backbone(ms_fusion='max')
    with pytest.raises(ValueError, match='overlap'):
        build_backbone(patch_cfg=dict(kernel_size=12))


def test_pos_embed_is_fixed_sincos_unless_asked():
    model = build_backbone()
    assert not model.pos_embed.requires_grad
    ref = MAEViT(arch=TINY, img_size=32, patch_size=8)
    ref.init_weights()
    assert torch.equal(model.pos_embed, ref.pos_embed)
    assert build_backbone(fix_pos_embed=False).pos_embed.requires_grad


def test_mae_config_builds_and_trains():
    cfg = Config.fromfile(PRETRAIN_CFG)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert isinstance(model.backbone, MultiScaleMAEViT)
    images = torch.randint(0, 256, (2, 3, 64, 64)).float()
    data = model.data_preprocessor(
        dict(inputs=images, data_samples=None), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss'}
    assert torch.isfinite(losses['loss'])
    losses['loss'].backward()
    grad = model.backbone.ms_stem.branches[0][0].weight.grad
    assert grad is not None and grad.abs().sum() > 0
    assert model.backbone.pos_embed.grad is None


def test_pretrain_checkpoint_loads_into_finetune_model(tmp_path):
    cfg = Config.fromfile(PRETRAIN_CFG)
    torch.manual_seed(0)
    mae = MODELS.build(cfg.model)
    mae.init_weights()
    # Move the weights away from any initialization.
    with torch.no_grad():
        for param in mae.parameters():
            param.add_(0.01 * torch.randn_like(param))
    saved = {k: v.clone() for k, v in mae.state_dict().items()}
    ckpt = str(tmp_path / 'ms_mae.pth')
    torch.save({'state_dict': saved}, ckpt)
    saved_backbone = {
        k[len('backbone.'):]: v
        for k, v in saved.items() if k.startswith('backbone.')
    }

    backbone_cfg = dict(cfg.model.backbone)
    backbone_cfg.update(out_type='cls_token', mask_by_default=False)

    def classifier(init_cfg):
        return MODELS.build(
            dict(
                type='ImageClassifier',
                backbone=dict(backbone_cfg, init_cfg=init_cfg),
                head=dict(type='RegressionHead', in_channels=64)))

    torch.manual_seed(1)
    model = classifier(
        dict(type='Pretrained', checkpoint=ckpt, prefix='backbone.'))
    backbone_keys = set(model.backbone.state_dict())
    assert backbone_keys == set(saved_backbone)
    # Before loading, weights differ from the checkpoint.
    assert not torch.equal(model.backbone.layers[0].attn.qkv.weight,
                           saved_backbone['layers.0.attn.qkv.weight'])

    # The checkpoint as MMEngine reads it fits the backbone strictly.
    state = _load_checkpoint_with_prefix('backbone.', ckpt)
    fresh = classifier(None).backbone
    fresh.load_state_dict(state, strict=True)

    model.init_weights()
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, saved_backbone[key]), key

    # Fine-tuning forward.
    with torch.no_grad():
        scores = model(torch.randn(2, 3, 64, 64), mode='tensor')
    assert scores.shape == (2, 1)


def test_init_weights_without_checkpoint_keeps_mae_init():
    model = build_backbone(init_cfg=None)
    assert model.cls_token.abs().sum() > 0
    assert model.ms_stem.fuse.bias.abs().sum() == 0


def test_layer_depth():
    model = build_backbone()
    assert model.get_layer_depth('ms_stem.fuse.weight') == (0, 4)
    assert model.get_layer_depth('backbone.patch_embed.projection.weight',
                                 'backbone.') == (0, 4)
    assert model.get_layer_depth('backbone.cls_token', 'backbone.') == (0, 4)
    assert model.get_layer_depth('backbone.pos_embed', 'backbone.') == (0, 4)
    assert model.get_layer_depth('backbone.layers.0.ln1.weight',
                                 'backbone.') == (1, 4)
    assert model.get_layer_depth('backbone.layers.1.ffn.layers.1.bias',
                                 'backbone.') == (2, 4)
    assert model.get_layer_depth('backbone.ln1.weight', 'backbone.') == (3, 4)
    assert model.get_layer_depth('head.layers.0.weight', 'backbone.') == (3,
                                                                          4)


@pytest.mark.parametrize('fix_pos_embed', [True, False])
def test_layer_wise_lr_decay(fix_pos_embed):
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(
                type='MultiScaleMAEViT',
                arch='tiny',
                img_size=32,
                patch_size=8,
                out_type='cls_token',
                fix_pos_embed=fix_pos_embed),
            head=dict(type='RegressionHead', in_channels=64)))
    wrapper = build_optim_wrapper(
        model,
        dict(
            # MMPretrain's constructor logs weight_decay, so it is needed.
            optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
            constructor='LearningRateDecayOptimWrapperConstructor',
            paramwise_cfg=dict(layer_decay_rate=0.5)))
    lrs = {
        group['param_name']: group['lr']
        for group in wrapper.optimizer.param_groups
    }
    # 2 layers -> 4 depths; scale = 0.5 ** (3 - depth).
    expected = {
        'backbone.ms_stem.branches.0.0.weight': 1e-3 * 0.125,
        'backbone.ms_stem.fuse.bias': 1e-3 * 0.125,
        'backbone.patch_embed.projection.weight': 1e-3 * 0.125,
        'backbone.cls_token': 1e-3 * 0.125,
        'backbone.layers.0.attn.qkv.weight': 1e-3 * 0.25,
        'backbone.layers.1.attn.qkv.weight': 1e-3 * 0.5,
        'backbone.layers.1.ffn.layers.1.weight': 1e-3 * 0.5,
        'backbone.ln1.weight': 1e-3,
        'head.layers.0.weight': 1e-3,
    }
    for name, lr in expected.items():
        assert lrs[name] == pytest.approx(lr, rel=1e-12), name
    if fix_pos_embed:
        assert 'backbone.pos_embed' not in lrs
    else:
        assert lrs['backbone.pos_embed'] == pytest.approx(1e-3 * 0.125)
    # Every trainable parameter is in some group.
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable == set(lrs)

    # One optimisation step runs.
    samples = [DataSample().set_gt_score([3.0]) for _ in range(2)]
    losses = model(torch.randn(2, 3, 32, 32), samples, mode='loss')
    wrapper.update_params(sum(losses.values()))
