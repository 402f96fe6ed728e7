# MAE-MS-KD stage 1: pretrain the teacher, an MAE whose encoder has a
# multi-scale convolution stem (kernels 3/5/7), on unlabeled faces.
# Masked patches are zeroed before the convolutions, so no masked pixel
# reaches a visible token.
_base_ = [
    '../_base_/datasets/unlabeled_faces_mae_224.py',
    '../_base_/schedules/mae_adamw_400e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
# fbp_mm's runner: reads checkpoints safely where it can (README, trust)
runner_type = 'FbpRunner'

model = dict(
    type='MAE',
    backbone=dict(
        type='MultiScaleMAEViT',
        arch='base',
        img_size=224,
        patch_size=16,
        mask_ratio=0.75,
        ms_kernel_sizes=(3, 5, 7),
        ms_branch_channels=16,
        ms_out_channels=16,
        mask_by_default=True),
    neck=dict(
        type='MAEPretrainDecoder',
        patch_size=16,
        in_chans=3,
        embed_dim=768,
        decoder_embed_dim=512,
        decoder_depth=8,
        decoder_num_heads=16,
        mlp_ratio=4.),
    head=dict(
        type='MAEPretrainHead',
        norm_pix=True,
        patch_size=16,
        loss=dict(type='PixelReconstructionLoss', criterion='L2')),
    init_cfg=[
        dict(type='Xavier', layer='Linear', distribution='uniform'),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)
    ])

default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2))
randomness = dict(seed=0, diff_rank_seed=True)
