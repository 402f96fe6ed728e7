# Fine-tune the ProS-pretrained ViT-S/16 (the teacher backbone of
# configs/pros/pros_vit-small-p16_8xb64-100e_unlabeled-faces.py) on RAF-DB's
# seven basic emotions: linear classifier on the class token, aligned faces
# resized to 224 px, AdamW with layer-wise lr decay, 30 epochs, batch 64.
#
# Data (the official `basic` release, data_root 'data/RAF-DB'):
#   data/RAF-DB/EmoLabel/list_patition_label.txt   (train_* / test_* rows)
#   data/RAF-DB/Image/aligned/train_00001_aligned.jpg ... test_0001_aligned.jpg
# RAF-DB has only train / test, so checkpoints are selected on `split='val'`:
# a seeded 10% hold-out of the official training list (`val_ratio`,
# `split_seed`, drawn from the image names; `split='train'` is the other
# 90%), by top-1 accuracy (`accuracy/top1`). The official test list (3,068
# images) is evaluated once, with the selected checkpoint. (To retrain on
# the whole training list once the schedule is fixed:
# train_dataloader.dataset.val_ratio=0, then keep the last epoch's
# checkpoint; the validation scores are then on training images.)
#
#   CFG=configs/pros/vit-small-p16_ft-1xb64-30e_rafdb.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_accuracy_top1_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = [
    '../_base_/schedules/fbp_vit_finetune_100e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
runner_type = 'FbpRunner'

pretrained = \
    'work_dirs/pros_vit-small-p16_8xb64-100e_unlabeled-faces/epoch_100.pth'
batch_size = 64
num_workers = 8

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        out_type='cls_token',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint=pretrained,
            prefix='teacher.module.backbone.')),
    head=dict(
        type='LinearClsHead',
        num_classes=7,
        in_channels=384,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
data_preprocessor = dict(
    num_classes=7,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

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
rafdb = dict(type='RAFDBBasic', data_root='data/RAF-DB', aligned=True)
holdout = dict(val_ratio=0.1, split_seed=0)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**rafdb, **holdout, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**rafdb, **holdout, split='val', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**rafdb, split='test', pipeline=test_pipeline))
val_evaluator = dict(type='Accuracy', topk=(1, ))
test_evaluator = val_evaluator

# 30 epochs: 3 warm-up epochs, cosine decay; lr for a total batch of 64.
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

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='accuracy/top1', rule='greater'))
randomness = dict(seed=0)
