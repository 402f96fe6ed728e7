# MAE-MS-KD ablation "multi-scale MAE at the student's size", fine-tuned:
# the ViT-S multi-scale MAE encoder with the same neck and head as the
# student. The recipe passes its pretrained encoder
# (model.backbone.init_cfg.checkpoint).
_base_ = ['./ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py']

pretrained = \
    'work_dirs/ms-mae_vit-small-p16_8xb64-400e_unlabeled-faces/epoch_400.pth'

model = dict(
    backbone=dict(arch='small', init_cfg=dict(checkpoint=pretrained)),
    neck=dict(in_channels=384, out_channels=384),
    head=dict(in_channels=384))

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))
