# Demo of MAE-MS-KD stage 2 with KD at pretraining: the student MAE also
# regresses the frozen stage-1 teacher encoder's features of the masked
# patches (LatentDistilledMAE). The demo recipe passes the teacher's
# pretraining checkpoint (model.target_generator.init_cfg.checkpoint).
_base_ = ['./mae_vit-tiny-p8_1xb64-8e_demo-faces.py']

teacher_pretrain = 'work_dirs/fbp_demo/teacher_pretrain/epoch_8.pth'

model = dict(
    type='LatentDistilledMAE',
    target_generator=dict(
        type='MultiScaleMAEViT',
        arch='tiny',
        img_size=64,
        patch_size=8,
        ms_kernel_sizes=(3, 5, 7),
        ms_branch_channels=8,
        ms_out_channels=8,
        out_type='raw',
        init_cfg=dict(
            type='Pretrained', checkpoint=teacher_pretrain,
            prefix='backbone.')),
    latent_predictor=dict(in_channels=32, out_channels=64),
    latent_loss_weight=1.0)
