# Face image quality (FIQA) in the layout the Efficient-FIQA recipe expects:
#   data_root/images/...            all images
#   data_root/train.csv, val.csv    labeled (VQualA challenge CSV:
#   data_root/test.csv              image_name,score), relative to images/
#   data_root/unlabeled_1.txt, unlabeled_2.txt   unlabeled pools
# tools/dataset_converters/make_degraded_faces.py writes exactly this from
# any face folder; tools/dataset_converters/split_labeled.py splits a
# challenge CSV into train / val.
dataset_type = 'ScoreListDataset'
data_root = 'data/fiqa'

# Scoring photos (FaceScoreInferencer, tools/predict.py): this config records
# no `face_preparation`, because the FIQA data's framing has not been measured
# here, so faces are cut out as fbp_mm.apis.DEFAULT_FACE_PREPARATION says
# (a square 1.25 times the dlib HOG box). Measure your copy and record it:
#   python tools/analysis/face_framing.py data/fiqa/images
# prints the `face_preparation = dict(...)` line to add to the config.
img_size = 352

data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True,
)

# Efficient-FIQA's augmentation: the short side goes to img_size (aspect
# ratio kept; Pillow's antialiased bilinear, as the official torchvision
# Resize) and a random img_size square is cropped; no flip. At test time the
# centre square is taken. Configs with another input size redefine both.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=img_size, edge='short', backend='pillow'),
    dict(type='RandomCrop', crop_size=img_size),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='ResizeEdge', scale=img_size, edge='short', backend='pillow'),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackInputs'),
]

labeled_train = dict(
    type=dataset_type,
    data_root=data_root,
    data_prefix='images',
    ann_file='train.csv',
    pipeline=train_pipeline)

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=labeled_train)
val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='images',
        ann_file='val.csv',
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
        data_prefix='images',
        ann_file='test.csv',
        pipeline=test_pipeline))

val_evaluator = dict(type='RegressionMetric')
test_evaluator = val_evaluator
