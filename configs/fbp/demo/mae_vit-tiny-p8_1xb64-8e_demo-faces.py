# Demo of MAE-MS-KD stage 2 (student MAE pretraining): a plain MAE ViT,
# smaller than the teacher (32 dims, 2 layers), same data and schedule.
_base_ = ['./ms-mae_vit-tiny-p8_1xb64-8e_demo-faces.py']

student_arch = dict(
    embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=128)

model = dict(
    backbone=dict(
        _delete_=True,
        type='MAEViT',
        arch=student_arch,
        img_size=64,
        patch_size=8,
        mask_ratio=0.75),
    neck=dict(embed_dim=32))
