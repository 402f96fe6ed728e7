# Unlabeled faces with 68 landmarks for Face-prior pretraining at 224 px,
# 16 px patches. Two views per face: each cropped around its landmarks
# (x1.3, random scale +-15% and shift +-5%), flipped at random (left and
# right parts swap), colour-jittered, with its own face-prior targets: part
# map, patch labels and landmark heatmaps on the 14 x 14 patch grid,
# component boxes (FacePriorTargets). The landmark list comes with the
# data, or from tools/dataset_converters/write_landmarks.py (dlib's 68-point
# predictor); images it does not list get zero targets and count for the
# pixel level only (allow_missing).
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
patch_size = 16

data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

face_prior_keys = [
    'face_part_map', 'face_patch_labels', 'face_heatmaps',
    'face_component_boxes', 'face_prior_valid', 'face_view_flipped'
]
view_pipeline = [
    dict(type='CropFaceBox', size=224, scale=1.3, scale_jitter=0.15,
         shift_jitter=0.05, interpolation='bicubic'),
    dict(type='RandomFaceFlip', prob=0.5),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                          saturation=0.2)],
         prob=0.8),
    dict(type='RandomGrayscale', prob=0.2, keep_channels=True,
         channel_weights=(0.114, 0.587, 0.2989)),
    dict(type='FacePriorTargets', patch_size=patch_size,
         allow_missing=True),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='FacePriorViews', transforms=[view_pipeline], num_views=2),
    dict(type='PackInputs', algorithm_keys=face_prior_keys),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='',
        landmark_file='landmarks.txt',
        pipeline=train_pipeline))
