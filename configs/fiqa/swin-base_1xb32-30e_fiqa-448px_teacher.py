# Efficient-FIQA teacher: Swin-B at 448 px (MMPretrain's backbone) with a
# regression head, MSE + PLCC loss 1:1, on the labeled quality scores.
# ImageNet weights, when you have them locally:
# --cfg-options model.backbone.init_cfg.type=Pretrained \
#   model.backbone.init_cfg.checkpoint=PATH \
#   model.backbone.init_cfg.prefix=backbone.
_base_ = [
    '../_base_/datasets/fiqa_bs32.py',
    '../_base_/schedules/fiqa_adamw_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)

img_size = 448
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='SwinTransformer',
        arch='base',
        img_size=img_size,
        drop_path_rate=0.3,
        pad_small_map=True),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='RegressionHead',
        in_channels=1024,
        loss=[
            dict(type='MSELoss', loss_weight=1.0),
            dict(type='PLCCLoss', loss_weight=1.0),
        ]))

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='srcc',
                    rule='greater'))
