# Fine-tune the Face-prior-pretrained ViT-S/16 on RAF-DB's seven basic
# emotions: linear classifier on the class token, aligned faces resized to
# 224 px, AdamW with layer-wise lr decay, 30 epochs, batch 64 (the setting
# of configs/pros/vit-small-p16_ft-1xb64-30e_rafdb.py, from the Face-prior
# encoder).
#
# Data (the official `basic` release, data_root 'data/RAF-DB'):
#   data/RAF-DB/EmoLabel/list_patition_label.txt   (train_* / test_* rows)
#   data/RAF-DB/Image/aligned/train_00001_aligned.jpg ... test_0001_aligned.jpg
# RAF-DB has only train / test, so checkpoints are selected on `split='val'`:
# a seeded 10% hold-out of the official training list (`val_ratio`,
# `split_seed`; `split='train'` is the other 90%), by top-1 accuracy
# (`accuracy/top1`). The official test list is evaluated once, with the
# selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_rafdb.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_accuracy_top1_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = [
    '../_base_/models/vit-small-p16_face-prior.py',
    '../_base_/schedules/pros_finetune_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]

batch_size = 64
num_workers = 8

model = dict(
    head=dict(
        type='LinearClsHead',
        num_classes=7,
        in_channels=384,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, )))
data_preprocessor = dict(num_classes=7)

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

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='accuracy/top1', rule='greater'))
randomness = dict(seed=0)
