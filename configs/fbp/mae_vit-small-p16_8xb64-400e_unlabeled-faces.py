# MAE-MS-KD stage 2: pretrain the student, a plain MAE ViT-S/16 (DeiT-small
# widths), on the same unlabeled faces.
_base_ = ['./ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='MAEViT',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        mask_ratio=0.75),
    neck=dict(embed_dim=384, decoder_embed_dim=256, decoder_depth=4,
              decoder_num_heads=8))
