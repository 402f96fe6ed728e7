# Demo of MAE-MS-KD stage 4 (configs/fbp/mae_ms_kd.py at demo size): the
# small student is fine-tuned on the synthetic demo faces while the
# fine-tuned tiny MS-MAE teacher distils into it. tools/fbp_pipeline.py
# passes both checkpoints.
_base_ = [
    './mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    '../../_base_/models/mae_ms_kd_distill.py',
]

teacher_config = \
    'configs/fbp/demo/ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py'
teacher_ckpt = 'work_dirs/fbp_demo/3_teacher_finetune/best.pth'

model = dict(
    _delete_=True,
    type='TeacherStudentDistiller',
    student={{_base_.model}},
    teacher=dict(cfg_path=teacher_config),
    teacher_ckpt=teacher_ckpt,
    student_recorders={{_base_.kd_recorders}},
    teacher_recorders={{_base_.kd_recorders}},
    connectors=dict(
        feat_proj=dict(
            type='LinearConnector', in_channels=32, out_channels=64)),
    distill_losses={{_base_.kd_losses}},
    loss_forward_mappings={{_base_.kd_mappings}},
    student_task_loss=True,
    task_loss_weight=1.0)
