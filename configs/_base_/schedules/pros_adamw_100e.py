# ProS / DINO-style pretraining schedule: AdamW, lr 5e-4 per 256 images
# (here for a total batch of 512 = 8 x 64; --auto-scale-lr rescales it),
# 10-epoch linear warm-up then cosine to 1e-6, weight decay 0.04, gradient
# clipping at norm 3 (DINO's guard against early instability). DINO also
# raises weight decay to 0.4 with a cosine; MMEngine has no weight-decay
# scheduler for AdamW param groups, so it stays fixed here (a choice).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4 * 512 / 256, weight_decay=0.04),
    clip_grad=dict(max_norm=3.0),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'pos_embed': dict(decay_mult=0.),
            'cls_token': dict(decay_mult=0.),
            'prototypes': dict(decay_mult=0.),
        }))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0,
         end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=10,
         end=100, eta_min=1e-6, convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)
auto_scale_lr = dict(base_batch_size=512)
