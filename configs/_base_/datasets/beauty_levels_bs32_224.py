# LSAFBD-style beauty levels: a list file per split with lines
#   relative/path/to/image.jpg <level>
# where level is an integer class 0..4 (five beauty levels), read by
# MMPretrain's CustomDataset and scored with Accuracy.
# Checkpoints are selected on val.txt, a held-out part of the training
# images, never on test.txt. From a full training list, write train.txt and
# val.txt (no image in both) with e.g.
#   python tools/dataset_converters/split_labeled.py \
#       data/LSAFBD/trainval.txt data/LSAFBD --val-fraction 0.1 --seed 0
dataset_type = 'CustomDataset'
data_root = 'data/LSAFBD'
level_names = ('level_1', 'level_2', 'level_3', 'level_4', 'level_5')

data_preprocessor = dict(
    num_classes=5,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)

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

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='train.txt',
        data_prefix='',
        classes=level_names,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='val.txt',
        data_prefix='',
        classes=level_names,
        pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='test.txt',
        data_prefix='',
        classes=level_names,
        pipeline=test_pipeline))

val_evaluator = dict(type='Accuracy', topk=(1, 2))
test_evaluator = val_evaluator
