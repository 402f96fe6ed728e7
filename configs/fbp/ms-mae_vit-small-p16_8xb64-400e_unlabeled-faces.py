# MAE-MS-KD ablation "multi-scale MAE at the student's size": the
# multi-scale MAE of stage 1 with a ViT-S encoder (384 dims, 12 layers), so
# that it compares with the plain MAE ViT-S of stage 2 at equal size.
_base_ = ['./ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py']

model = dict(backbone=dict(arch='small'), neck=dict(embed_dim=384))
