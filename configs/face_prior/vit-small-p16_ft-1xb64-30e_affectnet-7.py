# Fine-tune the Face-prior-pretrained ViT-S/16 on AffectNet's 7 basic
# expressions (contempt dropped; codes 8-10, none / uncertain / no-face,
# dropped too): linear classifier on the class token, the annotated face
# box cropped and resized to 224 px, AdamW with layer-wise lr decay, 30
# epochs, batch 64.
#
# Data (the official release, data_root 'data/AffectNet'):
#   data/AffectNet/Manually_Annotated_file_lists/training.csv
#   data/AffectNet/Manually_Annotated_file_lists/validation.csv
#   data/AffectNet/Manually_Annotated_Images/689/737db2....jpg ...
# AffectNet's test set is not public, so `split='test'` is validation.csv
# (as papers report), evaluated once, with the selected checkpoint.
# Checkpoints are selected on `split='val'`: a seeded 10% hold-out of
# training.csv (`val_ratio`, `split_seed`; `split='train'` is the other
# 90%). training.csv is imbalanced (happy and neutral dominate) while
# validation.csv holds about the same number of images per class, where
# top-1 accuracy equals the mean per-class recall; so checkpoints are
# selected by the mean per-class recall on the held-out part
# (`single-label/recall`, macro), and top-1 accuracy is reported beside it.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_affectnet-7.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_single-label_recall_epoch_N.pth
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

# The images are whole pictures: crop the annotated face box (face_box).
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropFaceBox', size=224, scale=1.0),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropFaceBox', size=224, scale=1.0),
    dict(type='PackInputs'),
]
affectnet = dict(
    type='AffectNet',
    data_root='data/AffectNet',
    data_prefix='Manually_Annotated_Images',
    num_classes=7,
    with_landmarks=False)
holdout = dict(val_ratio=0.1, split_seed=0)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**affectnet, **holdout, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**affectnet, **holdout, split='val',
                 pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**affectnet, split='test', pipeline=test_pipeline))
val_evaluator = [
    dict(type='Accuracy', topk=(1, )),
    dict(type='SingleLabelMetric', items=['recall'], average='macro'),
]
test_evaluator = val_evaluator

default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='single-label/recall', rule='greater'))
randomness = dict(seed=0)
