# Fine-tune the Face-prior-pretrained ViT-S/16 for BP4D facial action unit
# detection: occurrence of the 12 AUs of the BP4D protocol (multi-label),
# MMPretrain's multi-label linear head on the class token, 224 px, AdamW
# with layer-wise lr decay, 30 epochs, batch 64.
#
# Data (per-frame AU lists in the format of fbp_mm's AUOccurrenceList,
# written from BP4D's occurrence files by
# tools/dataset_converters/au_lists.py bp4d; data_root 'data/BP4D'):
#   data/BP4D/images/F001/T1/0001.jpg ...   (face crops per frame)
#   data/BP4D/lists/fold{1,2,3}.txt         (header "image AU1 AU2 ...",
#                                            then "F001/T1/0001.jpg 0 1 ...")
# The protocol is the usual subject-exclusive 3-fold cross-validation:
# train on two folds, test on the third. This config trains on folds 1 + 2
# and tests on fold 3. For another fold, set the lists of all three loaders
# (train and val: the two training folds; test: the third), e.g.
#   --cfg-options \
#     "train_dataloader.dataset.ann_file=[lists/fold2.txt,lists/fold3.txt]" \
#     "val_dataloader.dataset.ann_file=[lists/fold2.txt,lists/fold3.txt]" \
#     test_dataloader.dataset.ann_file=lists/fold1.txt
# Checkpoint selection: on `split='val'`, a seeded 10% of the subjects of
# the training folds (`val_ratio`, `split_seed`; whole subjects, as
# neighbouring frames are near copies; `split='train'` is the other 90%),
# by the mean F1 over the AUs (`multi-label/f1-score`, thr 0.5). The test
# fold is evaluated once, with the selected checkpoint; per-AU F1 is
# reported as `multi-label/f1-score_classwise`.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_bp4d-au.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_multi-label_f1-score_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = [
    '../_base_/models/vit-small-p16_face-prior.py',
    '../_base_/schedules/pros_finetune_30e.py',
    'mmpretrain::_base_/default_runtime.py',
]

batch_size = 64
num_workers = 8
# BP4D_AUS of fbp_mm.datasets.au_occurrence
aus = ['AU1', 'AU2', 'AU4', 'AU6', 'AU7', 'AU10', 'AU12', 'AU14', 'AU15',
       'AU17', 'AU23', 'AU24']

model = dict(
    head=dict(type='MultiLabelLinearClsHead', num_classes=12,
              in_channels=384))
data_preprocessor = dict(num_classes=12)

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
au_lists = dict(
    type='AUOccurrenceList',
    data_root='data/BP4D',
    data_prefix='images',
    aus=aus)
train_folds = ['lists/fold1.txt', 'lists/fold2.txt']
test_fold = 'lists/fold3.txt'
holdout = dict(val_ratio=0.1, split_seed=0, group_depth=1)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(**au_lists, **holdout, ann_file=train_folds, split='train',
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**au_lists, **holdout, ann_file=train_folds, split='val',
                 pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=128,
    num_workers=num_workers,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(**au_lists, ann_file=test_fold, split='test',
                 pipeline=test_pipeline))
# Mean over the AUs (the headline) and per-AU values. MultiLabelMetric
# reports percentages, and an AU absent from the evaluated frames counts as
# F1 0 in the mean (tests/test_evaluation/test_au_f1.py).
val_evaluator = [
    dict(type='MultiLabelMetric', items=['precision', 'recall', 'f1-score'],
         average='macro', thr=0.5),
    dict(type='MultiLabelMetric', items=['f1-score'], average=None,
         thr=0.5),
]
test_evaluator = val_evaluator

default_hooks = dict(
    logger=dict(interval=100),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=1,
                    save_best='multi-label/f1-score', rule='greater'))
randomness = dict(seed=0)
