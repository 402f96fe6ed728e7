# Few-shot attribute estimation on the synthetic demo faces: the ProS demo's
# ViT (64 dims, 2 layers, 64 px) with MMPretrain's multi-label linear head
# on its class token, trained on a seeded 10% of the training split
# (FewShotDataset: 43 of 432 faces; the draw follows the run's seed), its
# checkpoint chosen on the validation split by mean accuracy over the four
# attributes (smiling, big_eyes, wide_mouth, long_hair), tested once on the
# test split. Data: attributes.txt (CelebA layout) + partition.txt.
# The recipe sets the initialisation: none (random), the MAE encoder
# (prefix 'backbone.') or the ProS teacher (prefix
# 'teacher.module.backbone.'); layer-wise lr decay as MMPretrain fine-tunes
# MAE encoders.
_base_ = [
    '../../_base_/schedules/fbp_vit_finetune_100e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
runner_type = 'FbpRunner'

data_root = 'data/demo_faces'
fraction = 0.1
vit = dict(
    type='VisionTransformer',
    arch=dict(embed_dims=64, num_layers=2, num_heads=2,
              feedforward_channels=128),
    img_size=64,
    patch_size=8,
    out_type='cls_token',
    init_cfg=None)

model = dict(
    type='ImageClassifier',
    backbone=vit,
    head=dict(type='MultiLabelLinearClsHead', num_classes=4,
              in_channels=64))
data_preprocessor = dict(
    num_classes=4,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

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
attributes = dict(
    type='CelebAAttributes',
    data_root=data_root,
    attr_file='attributes.txt',
    partition_file='partition.txt',
    data_prefix='')

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type='FewShotDataset',
        fraction=fraction,
        dataset=dict(**attributes, split='train', pipeline=train_pipeline)))
val_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**attributes, split='val', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**attributes, split='test', pipeline=test_pipeline))
val_evaluator = dict(type='AttributeAccuracy')
test_evaluator = val_evaluator

optim_wrapper = dict(
    optimizer=dict(lr=1e-3), paramwise_cfg=dict(layer_decay_rate=0.75))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-2, by_epoch=True, begin=0, end=2,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=28, by_epoch=True, begin=2,
         end=30, eta_min=1e-5, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=30, val_interval=1)
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=10, max_keep_ckpts=1, save_best='mean_accuracy',
                    rule='greater'))
randomness = dict(seed=0)
