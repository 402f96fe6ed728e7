# Small supervised regressor for the synthetic demo faces (64 px, CPU-sized):
# a ResNet-18 with 16 base channels. Trains in a couple of minutes on
# 2 CPU cores; `make demo` runs it. Synthetic data: the numbers show that
# the pipeline learns, not how well anything works on real faces.
_base_ = [
    '../_base_/models/resnet50_regression.py',
    '../_base_/datasets/demo_faces_bs32_64.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
# fbp_mm's runner: reads checkpoints safely where it can (README, trust)
runner_type = 'FbpRunner'

model = dict(
    backbone=dict(depth=18, stem_channels=16, base_channels=16),
    head=dict(
        in_channels=128,
        score_range=(1.0, 5.0),
        loss=[
            dict(type='MSELoss', loss_weight=1.0),
            dict(type='PLCCLoss', loss_weight=1.0),
        ]))

optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=20,
         eta_min=1e-5),
]
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=32)

default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=5, max_keep_ckpts=2, save_best='plcc',
                    rule='greater'))
randomness = dict(seed=0)
