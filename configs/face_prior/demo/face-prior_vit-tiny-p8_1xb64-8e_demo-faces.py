# Face-prior pretraining at demo size on the synthetic demo faces' unlabeled
# pool (4,000 faces, 68 landmarks each from the generator: landmarks.txt),
# `make demo-face-prior`. The ViT of the ProS demo (64 dims, 2 layers, 2
# heads, MLP 128, 64 px, 8 px patches), 8 epochs. Two views per face: the
# whole 128 px image resized to 64 px with random zoom (+-20%) and shift
# (+-5%), the landmarks moved with it (CropFaceBox around='image', the
# framing the fine-tuning configs' Resize gives), flipped at random,
# colour-jittered; targets on the 8 x 8 patch grid. CPU-sized; not a
# recipe for real data.
_base_ = ['../face-prior_vit-small-p16_8xb64-100e_unlabeled-faces.py']

embed_dims = 64
model = dict(
    backbone=dict(
        arch=dict(_delete_=True, embed_dims=embed_dims, num_layers=2,
                  num_heads=2, feedforward_channels=128),
        img_size=64,
        patch_size=8),
    neck=dict(
        num_patches=64,
        patch_size=8,
        embed_dim=embed_dims,
        decoder_embed_dim=32,
        decoder_depth=1,
        decoder_num_heads=2),
    pixel_head=dict(patch_size=8),
    patch_head=dict(in_channels=embed_dims),
    component_head=dict(in_channels=embed_dims, hidden_dims=128,
                        proj_dims=64),
    patch_size=8)

view_pipeline = [
    dict(type='CropFaceBox', size=64, scale=1.0, around='image',
         scale_jitter=0.2, shift_jitter=0.05),
    dict(type='RandomFaceFlip', prob=0.5),
    dict(type='RandomApply',
         transforms=[dict(type='ColorJitter', brightness=0.4, contrast=0.4,
                          saturation=0.2)],
         prob=0.8),
    dict(type='FacePriorTargets', patch_size=8),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='FacePriorViews', transforms=[view_pipeline], num_views=2),
    dict(type='PackInputs', algorithm_keys={{_base_.face_prior_keys}}),
]
# CPU demo: loading in the main process beats workers competing with the
# model for 2 cores
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    pin_memory=False,
    dataset=dict(
        data_root='data/demo_faces',
        ann_file='unlabeled.txt',
        landmark_file='landmarks.txt',
        pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=7, by_epoch=True, begin=1, end=8,
         convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=8)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=4, max_keep_ckpts=1))
randomness = dict(seed=0)
