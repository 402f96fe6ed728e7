# Fine-tune the Face-prior-pretrained ViT-S/16 on CelebA's 40 binary
# attributes: MMPretrain's multi-label linear head on the class token,
# 224 px, AdamW with layer-wise lr decay, 30 epochs, batch 64 (the setting
# of configs/pros/vit-small-p16_ft-1xb64-30e_celeba-attributes.py, from the
# Face-prior encoder).
#
# Data (the official archive, data_root 'data/CelebA'):
#   data/CelebA/img_align_celeba/000001.jpg ...   (aligned 178 x 218 crops)
#   data/CelebA/Anno/list_attr_celeba.txt
#   data/CelebA/Eval/list_eval_partition.txt      (0 train / 1 val / 2 test)
# Checkpoint selection: on CelebA's official validation partition by
# `mean_accuracy` (mean over the 40 attributes of AttributeAccuracy); the
# official test partition is evaluated once, with the selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_celeba-attributes.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_mean_accuracy_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = [
    '../_base_/models/vit-small-p16_face-prior.py',
    '../_base_/schedules/pros_finetune_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]

batch_size = 64
num_workers = 8

model = dict(
    head=dict(type='MultiLabelLinearClsHead', num_classes=40,
              in_channels=384))
data_preprocessor = dict(num_classes=40)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224)),
    dict(type='PackInputs'),
]
celeba = dict(
    type='CelebAAttributes',
    data_root='data/CelebA',
    attr_file='Anno/list_attr_celeba.txt',
    partition_file='Eval/list_eval_partition.txt',
    data_prefix='img_align_celeba')

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**celeba, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**celeba, split='val', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**celeba, split='test', pipeline=test_pipeline))
val_evaluator = dict(type='AttributeAccuracy')
test_evaluator = val_evaluator

default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='mean_accuracy', rule='greater'))
randomness = dict(seed=0)
