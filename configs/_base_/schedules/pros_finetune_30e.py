# Fine-tuning schedule of the ProS downstream configs: AdamW with layer-wise
# lr decay 0.75 (MMPretrain's LearningRateDecayOptimWrapperConstructor, from
# ./fbp_vit_finetune_100e.py), lr 5e-4 per 256 images for a total batch of
# 64, 3 warm-up epochs then cosine, 30 epochs, validation every epoch.
_base_ = ['./fbp_vit_finetune_100e.py']

batch_size = 64
optim_wrapper = dict(
    optimizer=dict(lr=5e-4 * batch_size / 256),
    paramwise_cfg=dict(layer_decay_rate=0.75))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=3,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=27, by_epoch=True, begin=3,
         end=30, eta_min=1e-6, convert_to_iter_based=True),
]
train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=1)
auto_scale_lr = dict(base_batch_size=batch_size)
