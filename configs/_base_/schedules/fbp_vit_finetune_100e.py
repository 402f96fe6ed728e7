# MAE-style ViT fine-tuning for score regression: AdamW with layer-wise lr
# decay (MMPretrain's LearningRateDecayOptimWrapperConstructor), 5-epoch
# warm-up, cosine decay, 100 epochs. lr is for a total batch of 32.
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=5e-4 * 32 / 256, weight_decay=0.05,
        betas=(0.9, 0.999)),
    constructor='LearningRateDecayOptimWrapperConstructor',
    paramwise_cfg=dict(
        layer_decay_rate=0.65,
        custom_keys={
            '.ln': dict(decay_mult=0.0),
            '.bias': dict(decay_mult=0.0),
            '.cls_token': dict(decay_mult=0.0),
            '.pos_embed': dict(decay_mult=0.0)
        }))

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=95, by_epoch=True, begin=5,
         end=100, eta_min=1e-6, convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)
