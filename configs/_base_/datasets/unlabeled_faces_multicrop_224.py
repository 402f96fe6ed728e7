# Unlabeled faces for ProS pretraining: a folder tree (or a list file via
# `ann_file`) read by UnlabeledFaceDataset; each image becomes two 224 px
# global crops and six 96 px local crops (MultiCrop), one batch per view.
dataset_type = 'UnlabeledFaceDataset'
data_root = 'data/unlabeled_faces'

# How FaceScoreInferencer / FaceFeatureExtractor / tools/predict.py cut a
# face out of a photo for this model: as the recipes' `curate` stage made
# the pretraining faces (tools/curate_faces.py: dlib HOG, 68 landmarks,
# aligned 224 px crops with margin 0.2), with weak detections (SVM margin
# under 0.3, mostly not faces in photos) dropped as by default.
face_preparation = dict(
    detector=dict(type='DlibHogFace', min_size=80, min_score=0.3),
    crop=[dict(type='FaceLandmarks'),
          dict(type='AlignFace', size=224, margin=0.2)])

data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiCrop', global_size=224, local_size=96, num_local=6,
         global_scale=(0.4, 1.0), local_scale=(0.05, 0.4)),
    dict(type='PackInputs')
]

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    drop_last=True,
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='',
        pipeline=train_pipeline))
