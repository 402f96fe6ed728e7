# Demo of the MAE-MS-KD ablation "student without KD": the MAE-pretrained
# small ViT (stage 2) fine-tuned alone on the synthetic demo faces.
_base_ = ['./ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py']

student_arch = dict(
    embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=128)
pretrained = 'work_dirs/fbp_demo/student_pretrain/epoch_8.pth'

model = dict(
    backbone=dict(
        _delete_=True,
        type='VisionTransformer',
        arch=student_arch,
        img_size=64,
        patch_size=8,
        out_indices=(0, 1),
        out_type='cls_token',
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(in_channels=32, out_channels=32),
    head=dict(in_channels=32))
