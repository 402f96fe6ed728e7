import torch
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS

TINY = dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)
TEACHER = dict(
    embed_dims=48, num_layers=2, num_heads=2, feedforward_channels=64)


def build(latent_weight=1.0):
    model = MODELS.build(
        dict(
            type='LatentDistilledMAE',
            backbone=dict(
                type='MAEViT', arch=TINY, img_size=32, patch_size=8),
            neck=dict(
                type='MAEPretrainDecoder',
                num_patches=16,
                patch_size=8,
                embed_dim=32,
                decoder_embed_dim=16,
                decoder_depth=1,
                decoder_num_heads=2),
            head=dict(
                type='MAEPretrainHead',
                norm_pix=True,
                patch_size=8,
                loss=dict(type='PixelReconstructionLoss', criterion='L2')),
            target_generator=dict(
                type='VisionTransformer',
                arch=TEACHER,
                img_size=32,
                patch_size=8,
                out_type='raw'),
            latent_predictor=dict(in_channels=16, out_channels=48),
            latent_loss_weight=latent_weight))
    model.init_weights()
    return model


def test_teacher_is_frozen_and_latent_loss_decreases():
    torch.manual_seed(0)
    model = build()
    model.train()
    assert not model.target_generator.training
    teacher_before = {
        k: v.clone()
        for k, v in model.target_generator.state_dict().items()
    }
    optim = build_optim_wrapper(
        model, dict(optimizer=dict(type='AdamW', lr=3e-3)))
    images = torch.randn(4, 3, 32, 32)
    data = dict(inputs=images * 50 + 128, data_samples=None)
    first = None
    for _ in range(40):
        log = model.train_step(data, optim)
        first = first if first is not None else log['loss_latent'].item()
    assert log['loss_latent'].item() < 0.5 * first
    for key, value in model.target_generator.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key
    assert all(not p.requires_grad
               for p in model.target_generator.parameters())


def test_latent_loss_only_on_masked_patches():
    torch.manual_seed(0)
    model = build()
    model.eval()
    images = torch.randn(2, 3, 32, 32)
    # A predictor that already outputs the teacher's tokens gives zero loss
    # only if the loss is restricted to what the predictor sees; check the
    # loss is the masked mean by recomputing it.
    torch.manual_seed(1)
    losses = model.loss(images, None)
    torch.manual_seed(1)
    latent, mask, ids_restore = model.backbone(images)
    model.neck(latent, ids_restore)
    hidden = model._decoder_hidden[:, 1:]
    target = model.teacher_tokens(images)[:, 1:]
    err = (model.latent_predictor(hidden) - target).pow(2).mean(-1)
    expected = (err * mask).sum() / mask.sum()
    torch.testing.assert_close(losses['loss_latent'], expected)
    assert mask.sum() == 2 * 12  # 75% of 16 patches per image
