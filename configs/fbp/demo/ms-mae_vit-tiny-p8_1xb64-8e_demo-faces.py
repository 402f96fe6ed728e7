# Demo of MAE-MS-KD stage 1 (teacher MS-MAE pretraining) on the synthetic
# demo faces' unlabeled pool: tiny arch (64 dims, 2 layers), 64 px, 8 px
# patches, 8 epochs over a pool about 10x the labeled training list.
# CPU-sized; not a recipe for real data.
_base_ = ['../ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py']

model = dict(
    # 8 channels per kernel size keep the full-resolution stem CPU-cheap.
    backbone=dict(
        arch='tiny',
        img_size=64,
        patch_size=8,
        ms_branch_channels=8,
        ms_out_channels=8),
    neck=dict(
        num_patches=64,
        patch_size=8,
        embed_dim=64,
        decoder_embed_dim=32,
        decoder_depth=1,
        decoder_num_heads=2),
    head=dict(patch_size=8))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomResizedCrop', scale=64, crop_ratio_range=(0.6, 1.0)),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root='data/demo_faces',
        ann_file='unlabeled.txt',
        pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=7, by_epoch=True, begin=1, end=8,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=8)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=4, max_keep_ckpts=1))
