# MAE-MS-KD ablation "student without KD": the MAE-pretrained ViT-S/16
# fine-tuned alone on SCUT-FBP5500 (60/40), same neck and head as the
# teacher. Pretrained weights: stage 2's checkpoint, or --cfg-options
# model.backbone.init_cfg.checkpoint=PATH.
_base_ = ['./ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py']

pretrained = \
    'work_dirs/mae_vit-small-p16_8xb64-400e_unlabeled-faces/epoch_400.pth'

model = dict(
    backbone=dict(
        _delete_=True,
        type='VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        out_indices=(3, 7, 11),
        out_type='cls_token',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')),
    neck=dict(in_channels=384, out_channels=384),
    head=dict(in_channels=384))

optim_wrapper = dict(paramwise_cfg=dict(layer_decay_rate=0.75))
