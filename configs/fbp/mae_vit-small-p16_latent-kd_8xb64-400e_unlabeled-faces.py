# MAE-MS-KD stage 2, with distillation at pretraining: the student MAE also
# regresses the frozen, pretrained MS-MAE teacher's features of the masked
# patches (teacher = target generator), beside the pixels.
# Teacher weights: stage 1's checkpoint (or --cfg-options
# model.target_generator.init_cfg.checkpoint=...).
_base_ = ['./mae_vit-small-p16_8xb64-400e_unlabeled-faces.py']

teacher_pretrain = \
    'work_dirs/ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces/epoch_400.pth'

model = dict(
    type='LatentDistilledMAE',
    target_generator=dict(
        type='MultiScaleMAEViT',
        arch='base',
        img_size=224,
        patch_size=16,
        ms_kernel_sizes=(3, 5, 7),
        ms_branch_channels=16,
        ms_out_channels=16,
        out_type='raw',
        init_cfg=dict(
            type='Pretrained', checkpoint=teacher_pretrain,
            prefix='backbone.')),
    latent_predictor=dict(in_channels=256, out_channels=768),
    latent_loss_weight=1.0)
