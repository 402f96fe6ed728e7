# Demo of MAE-MS-KD stage 3 (teacher fine-tuning) on the synthetic demo
# faces: tiny MS-MAE ViT, both layers fused by the multi-level neck, 64 px.
# The recipe configs/fbp/recipes/mae_ms_kd_demo.py passes the stage 1
# checkpoint as model.backbone.init_cfg.checkpoint.
_base_ = ['../ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py']

data_root = 'data/demo_faces'
pretrained = 'work_dirs/fbp_demo/teacher_pretrain/epoch_8.pth'

model = dict(
    backbone=dict(
        arch='tiny',
        img_size=64,
        patch_size=8,
        ms_branch_channels=8,
        ms_out_channels=8,
        out_indices=(0, 1),
        drop_path_rate=0.0,
        init_cfg=dict(checkpoint=pretrained)),
    neck=dict(in_channels=64, num_levels=2, out_channels=64),
    head=dict(in_channels=64))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]
# CPU demo: loading 64 px images in the main process is faster than
# workers competing with the model for 2 cores.
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))

optim_wrapper = dict(
    optimizer=dict(lr=1e-3), paramwise_cfg=dict(layer_decay_rate=0.75))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=19, by_epoch=True, begin=1, end=20,
         eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=20, val_interval=5)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=5, max_keep_ckpts=1))
randomness = dict(seed=0)
