# The Face-prior demo's baseline: MMPretrain's plain MAE of the same ViT
# (./face-prior_vit-tiny-p8_1xb64-8e_demo-faces.py), same decoder, same
# faces, views, schedule and seed, no face prior: the pixel loss unweighted,
# no patch or component level.
_base_ = ['./face-prior_vit-tiny-p8_1xb64-8e_demo-faces.py']

model = dict(
    _delete_=True,
    type='MAE',
    backbone={{_base_.model.backbone}},
    neck={{_base_.model.neck}},
    head=dict(
        type='MAEPretrainHead',
        norm_pix=True,
        patch_size=8,
        loss=dict(type='PixelReconstructionLoss', criterion='L2')),
    init_cfg={{_base_.model.init_cfg}})

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropFaceBox', size=64, scale=1.0, around='image',
         scale_jitter=0.2, shift_jitter=0.05),
    dict(type='RandomFaceFlip', prob=0.5),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                          saturation=0.2)],
         prob=0.8),
    dict(type='PackInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
