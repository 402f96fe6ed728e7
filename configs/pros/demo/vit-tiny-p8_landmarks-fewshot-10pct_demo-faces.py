# Few-shot 68-point landmark regression on the synthetic demo faces: the
# ProS demo's ViT with fbp_mm's LandmarkRegressionHead on its class token,
# on a seeded 10% of the training split (43 faces), inputs cropped around
# the landmarks (x1.25) to 64 px; checkpoint chosen on the validation split
# by NME (inter-ocular, percent), tested once on the test split. Data:
# landmarks.txt + partition.txt. Initialisation as in the attribute config.
_base_ = ['./vit-tiny-p8_attributes-fewshot-10pct_demo-faces.py']

model = dict(
    head=dict(_delete_=True, type='LandmarkRegressionHead', in_channels=64,
              num_landmarks=68, loss=dict(type='L1Loss')))
data_preprocessor = dict(_delete_=True,
                         mean=[123.675, 116.28, 103.53],
                         std=[58.395, 57.12, 57.375],
                         to_rgb=True)
# no flip: the synthetic faces' landmarks are drawn, not symmetric labels
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropFaceBox', size=64, scale=1.25),
    dict(type='PackInputs', algorithm_keys=['face_landmarks']),
]
test_pipeline = train_pipeline
landmarks = dict(
    type='FaceLandmarkList',
    data_root={{_base_.data_root}},
    ann_file='landmarks.txt',
    partition_file='partition.txt')

train_dataloader = dict(
    dataset=dict(dataset=dict(_delete_=True, **landmarks, split='train',
                              pipeline=train_pipeline)))
val_dataloader = dict(
    dataset=dict(_delete_=True, **landmarks, split='val',
                 pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(_delete_=True, **landmarks, split='test',
                 pipeline=test_pipeline))
val_evaluator = dict(_delete_=True, type='NMEMetric',
                     normalize='inter_ocular')
test_evaluator = val_evaluator
default_hooks = dict(checkpoint=dict(save_best='nme', rule='less'))
