# MAE-MS-KD stage 3: fine-tune the pretrained multi-scale MAE encoder as the
# teacher regressor on SCUT-FBP5500 (60/40). Shallow and deep class tokens
# (layers 4, 8, 12) are fused by the multi-level neck before the head.
# Pretrained weights: stage 1's checkpoint, or --cfg-options
# model.backbone.init_cfg.checkpoint=PATH.
_base_ = [
    '../_base_/datasets/scut_fbp5500_bs32_224.py',
    '../_base_/schedules/fbp_vit_finetune_100e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
# fbp_mm's runner: reads checkpoints safely where it can (README, trust)
runner_type = 'FbpRunner'

pretrained = \
    'work_dirs/ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces/epoch_400.pth'

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='MultiScaleMAEViT',
        arch='base',
        img_size=224,
        patch_size=16,
        ms_kernel_sizes=(3, 5, 7),
        ms_branch_channels=16,
        ms_out_channels=16,
        out_indices=(3, 7, 11),
        out_type='cls_token',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(
        type='MultiLevelFusionNeck',
        in_channels=768,
        num_levels=3,
        out_channels=768,
        fusion='weighted_sum'),
    head=dict(
        type='RegressionHead',
        in_channels=768,
        score_range=(1.0, 5.0),
        loss=[
            dict(type='MSELoss', loss_weight=1.0),
            dict(type='PLCCLoss', loss_weight=1.0),
        ]))

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='plcc',
                    rule='greater'))
