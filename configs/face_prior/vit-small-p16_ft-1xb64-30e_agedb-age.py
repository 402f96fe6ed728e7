# Fine-tune the Face-prior-pretrained ViT-S/16 for age estimation on
# AgeDB: fbp_mm's RegressionHead (one output squashed into the age range
# 1-101, L1 loss) on the class token, 224 px, AdamW with layer-wise lr
# decay, 30 epochs, batch 64. Headline metric: MAE in years.
#
# Data (the released images in one folder, data_root 'data/AgeDB'):
#   data/AgeDB/0_MariaCallas_35_f.jpg ...   (<id>_<name>_<age>_<gender>.jpg)
# AgeDB has no official age-estimation split, so AgeDB draws
# identity-disjoint, seeded hold-outs from the file names: `split='test'`
# is 20% of the people (`test_ratio`), `split='val'` 10% of the other
# people (`val_ratio`) and `split='train'` the rest; no person is in two
# splits. Checkpoints are selected on `split='val'` by the lowest `mae`;
# the test split is evaluated once, with the selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_agedb-age.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_mae_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = [
    '../_base_/models/vit-small-p16_face-prior.py',
    '../_base_/schedules/pros_finetune_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]

batch_size = 64
num_workers = 8
age_range = (1, 101)  # AGEDB_AGE_RANGE of fbp_mm.datasets.age_list

model = dict(
    head=dict(
        type='RegressionHead',
        in_channels=384,
        num_outputs=1,
        score_range=age_range,
        loss=dict(type='L1Loss', loss_weight=1.0)))

# Regression targets ride in `gt_score` ([age], float); no batch augments.
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
ages = dict(
    type='AgeDB',
    data_root='data/AgeDB',
    data_prefix='',
    age_range=age_range,
    val_ratio=0.1,
    test_ratio=0.2,
    split_seed=0)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**ages, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**ages, split='val', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**ages, split='test', pipeline=test_pipeline))
val_evaluator = dict(type='RegressionMetric',
                     metrics=('mae', 'rmse', 'plcc', 'srcc'))
test_evaluator = val_evaluator

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='mae', rule='less'))
randomness = dict(seed=0)
