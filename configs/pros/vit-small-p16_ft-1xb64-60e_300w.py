# Fine-tune the ProS-pretrained ViT-S/16 (the teacher backbone of
# configs/pros/pros_vit-small-p16_8xb64-100e_unlabeled-faces.py) for 68-point
# landmark regression on 300W: fbp_mm's LandmarkRegressionHead on the class
# token (L1 on coordinates normalised by the crop size), inputs cropped
# around the face box (x1.25) to 224 px, AdamW with layer-wise lr decay,
# 60 epochs, batch 64.
#
# Data (data_root 'data/300W'): the released 300W / iBUG folders, each
# image with its .pts beside it, plus image lists, one path per line
# relative to data/300W (`#` comments allowed), written by
# `python tools/dataset_converters/face300w_lists.py data/300W`:
#   train.txt: the usual training set, afw/*, lfpw/trainset/*,
#       helen/trainset/* (3,148 images), e.g. `afw/1051618982_1.jpg`;
#   full.txt:  the full test set, lfpw/testset/* + helen/testset/*
#       (common subset, 554) + ibug/* (challenging subset, 135).
# 300W has only train / test, so checkpoints are selected on
# `split='val'`: a seeded 10% hold-out of train.txt (`val_ratio`,
# `split_seed`, drawn from the listed paths; `split='train'` is the other
# 90%), by NME (inter-ocular, outer eye corners 36 / 45, percent; lower is
# better). full.txt (`split='all'`, read whole) is evaluated once, with the
# selected checkpoint; for the subsets (common.txt / challenging.txt) add
# --cfg-options test_dataloader.dataset.ann_file=challenging.txt.
# The crops follow the extent of the annotated landmarks (Face300W's
# `face_box`), in training and test alike.
#
#   CFG=configs/pros/vit-small-p16_ft-1xb64-60e_300w.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_nme_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = [
    '../_base_/models/vit-small-p16_pros-teacher.py',
    '../_base_/schedules/pros_finetune_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]

batch_size = 64
num_workers = 8
num_landmarks = 68

model = dict(
    head=dict(
        type='LandmarkRegressionHead',
        in_channels=384,
        num_landmarks=num_landmarks,
        input_size=224,
        loss=dict(type='L1Loss')))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropFaceBox', size=224, scale=1.25),
    dict(type='PackInputs', algorithm_keys=['face_landmarks']),
]
test_pipeline = train_pipeline
faces = dict(type='Face300W', data_root='data/300W')
holdout = dict(ann_file='train.txt', val_ratio=0.1, split_seed=0)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**faces, **holdout, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**faces, **holdout, split='val', pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**faces, ann_file='full.txt', split='all',
                 pipeline=test_pipeline))
val_evaluator = dict(type='NMEMetric', normalize='inter_ocular')
test_evaluator = val_evaluator

# 60 epochs: 5 warm-up epochs, cosine decay (the rest as in the base).
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=55, by_epoch=True, begin=5,
         end=60, eta_min=1e-6, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=60)

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='nme', rule='less'))
randomness = dict(seed=0)
