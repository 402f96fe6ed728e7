# Face-prior pretraining (after Sun, He, Shan and Han, Pattern Recognition
# 2025) of a ViT-S/16 (DeiT-small widths) on unlabeled faces with 68
# landmarks. One encoder, three auxiliary levels (each a switch: set its
# head to None, or its weights to 0):
#   pixel      MAE on view 0 (75% of patches masked), the masked patches'
#              squared error weighted x2 on facial parts (FacePixelHead)
#   patch      every patch token of the whole image predicts its face part
#              (8 labels) and the 68 landmark heatmaps at its position
#              (FacePatchHead)
#   component  brows, eyes, nose and mouth RoI-pooled from the token grid,
#              classified and matched across the two views, flip-aware
#              (FaceComponentHead, InfoNCE at temperature 0.1)
# Only the abstract is public: levels, targets, weights and the two-view
# matching are this toolbox's choices, documented in fbp_mm's FacePrior and
# its heads. Fine-tune the encoder with
#   init_cfg=dict(type='Pretrained', checkpoint='.../epoch_100.pth',
#                 prefix='backbone.')
_base_ = [
    '../_base_/datasets/unlabeled_faces_face_prior_224.py',
    '../_base_/schedules/mae_adamw_400e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
runner_type = 'FbpRunner'

embed_dims = 384
model = dict(
    type='FacePrior',
    backbone=dict(
        type='MAEViT',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        mask_ratio=0.75),
    neck=dict(
        type='MAEPretrainDecoder',
        patch_size=16,
        in_chans=3,
        embed_dim=embed_dims,
        decoder_embed_dim=256,
        decoder_depth=4,
        decoder_num_heads=8,
        mlp_ratio=4.),
    pixel_head=dict(
        type='FacePixelHead',
        norm_pix=True,
        patch_size=16,
        background_weight=1.0,
        face_weight=1.0,
        part_weight=2.0),
    patch_head=dict(
        type='FacePatchHead',
        in_channels=embed_dims,
        num_parts=8,
        num_landmarks=68,
        part_weight=1.0,
        heatmap_weight=1.0),
    component_head=dict(
        type='FaceComponentHead',
        in_channels=embed_dims,
        hidden_dims=1024,
        proj_dims=256,
        roi_size=2,
        temperature=0.1,
        cls_weight=1.0,
        match_weight=1.0),
    patch_size=16,
    init_cfg=[
        dict(type='Xavier', layer='Linear', distribution='uniform'),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)
    ])

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-4, by_epoch=True, begin=0,
         end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=90, by_epoch=True, begin=10,
         end=100, convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=100)

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2))
randomness = dict(seed=0, diff_rank_seed=True)
