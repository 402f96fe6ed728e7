# Supervised baseline: ViT-S/16 regressor on SCUT-FBP5500 (60/40 split).
_base_ = [
    '../_base_/models/vit-small-p16_regression.py',
    '../_base_/datasets/scut_fbp5500_bs32_224.py',
    '../_base_/schedules/fbp_adamw_60e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
# fbp_mm's runner: reads checkpoints safely where it can (README, trust)
runner_type = 'FbpRunner'

model = dict(head=dict(score_range=(1.0, 5.0)))

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=5e-5, weight_decay=0.05),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            '.cls_token': dict(decay_mult=0.0),
            '.pos_embed': dict(decay_mult=0.0)
        }))

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='plcc',
                    rule='greater'))
