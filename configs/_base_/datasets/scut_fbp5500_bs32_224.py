# SCUT-FBP5500, official 60/40 split, 224 px. Regression targets ride in
# `gt_score` (1-5).
# Checkpoints are selected on `split='val'`: a seeded 10% hold-out of the
# official training list (`val_ratio`, `split_seed`); `split='train'` is the
# rest of it and `split='test'` the official test list, evaluated once at
# the end. Pick another protocol on all three loaders, e.g.
#   --cfg-options train_dataloader.dataset.protocol=5fold \
#     train_dataloader.dataset.fold=2 val_dataloader.dataset.protocol=5fold \
#     val_dataloader.dataset.fold=2 test_dataloader.dataset.protocol=5fold \
#     test_dataloader.dataset.fold=2
dataset_type = 'SCUTFBP5500'
data_root = 'data/SCUT-FBP5500_v2'

# Scoring photos (FaceScoreInferencer, tools/predict.py): this config records
# no `face_preparation`, because SCUT-FBP5500's framing has not been measured
# here, so faces are cut out as fbp_mm.apis.DEFAULT_FACE_PREPARATION says
# (a square 1.25 times the dlib HOG box). Measure your copy and record it:
#   python tools/analysis/face_framing.py data/SCUT-FBP5500_v2/Images
# prints the `face_preparation = dict(...)` line to add to the config.

data_preprocessor = dict(
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
        protocol='6040',
        split='train',
        val_ratio=0.1,
        split_seed=0,
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
        protocol='6040',
        split='val',
        val_ratio=0.1,
        split_seed=0,
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
        protocol='6040',
        split='test',
        pipeline=test_pipeline))

val_evaluator = dict(type='RegressionMetric')
test_evaluator = val_evaluator
