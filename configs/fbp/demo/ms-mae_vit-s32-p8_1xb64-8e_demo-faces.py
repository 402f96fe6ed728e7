# Demo of the ablation "multi-scale MAE at the student's size": the demo
# multi-scale MAE with the student's encoder (32 dims, 2 layers).
_base_ = ['./ms-mae_vit-tiny-p8_1xb64-8e_demo-faces.py']

student_arch = dict(
    _delete_=True,
    embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=128)

model = dict(backbone=dict(arch=student_arch), neck=dict(embed_dim=32))
