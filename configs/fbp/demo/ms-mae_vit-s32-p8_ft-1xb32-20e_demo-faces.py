# Demo of the ablation "multi-scale MAE at the student's size", fine-tuned
# like the student; the demo recipe passes the pretrained encoder.
_base_ = ['./ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py']

student_arch = dict(
    _delete_=True,
    embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=128)
pretrained = 'work_dirs/fbp_demo/ms_small_pretrain/epoch_8.pth'

model = dict(
    backbone=dict(arch=student_arch, init_cfg=dict(checkpoint=pretrained)),
    neck=dict(in_channels=32, out_channels=32),
    head=dict(in_channels=32))
