# MAE pretraining of a tiny multi-scale-stem ViT (MAE-MS, the teacher of
# MAE-MS-KD) on 64 px faces with 8 px patches: 8x8 = 64 patches, 75% masked.
# Sizes are for demos and tests; use arch='base', img_size=224,
# patch_size=16 and an 8-layer 512-dim decoder for real pretraining.
model = dict(
    type='MAE',
    # Normalised pixels: the zeroed (masked) patches equal the mean colour.
    data_preprocessor=dict(
        type='SelfSupDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        to_rgb=True),
    backbone=dict(
        type='MultiScaleMAEViT',
        arch='tiny',  # 64 dims, 2 layers, 2 heads
        img_size=64,
        patch_size=8,
        mask_ratio=0.75,
        ms_kernel_sizes=(3, 5, 7),
        ms_branch_channels=16,
        ms_out_channels=16,
        ms_fusion='concat',
        # MAE calls backbone(inputs) and expects (latent, mask, ids_restore).
        # Fine-tuning / teacher configs leave this False (unmasked).
        mask_by_default=True),
    neck=dict(
        type='MAEPretrainDecoder',
        num_patches=64,
        patch_size=8,
        in_chans=3,
        embed_dim=64,
        decoder_embed_dim=32,
        decoder_depth=1,
        decoder_num_heads=2,
        mlp_ratio=4.),
    head=dict(
        type='MAEPretrainHead',
        norm_pix=True,
        patch_size=8,
        loss=dict(type='PixelReconstructionLoss', criterion='L2')),
    init_cfg=[
        dict(type='Xavier', layer='Linear', distribution='uniform'),
        dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0)
    ])
