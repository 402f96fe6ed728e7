# Demo of MAE-MS-KD stage 4 (configs/fbp/mae_ms_kd.py at demo size): the
# small student is fine-tuned on the synthetic demo faces while the
# fine-tuned tiny MS-MAE teacher distils into it. The demo recipe
# (configs/fbp/recipes/mae_ms_kd_demo.py) passes the teacher
# (model.teacher_ckpt) and the student's pretrained encoder.
_base_ = [
    './mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    '../../_base_/models/mae_ms_kd_distill.py',
]

# Beside this file, wherever it is run from.
teacher_config = \
    '{{ fileDirname }}/ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py'

model = dict(
    _delete_=True,
    type='TeacherStudentDistiller',
    student={{_base_.model}},
    teacher=dict(cfg_path=teacher_config),
    teacher_ckpt=None,
    teacher_ckpt_hint=(
        'The demo teacher is made by stage `teacher_finetune` of the recipe '
        'configs/fbp/recipes/mae_ms_kd_demo.py: run `python '
        'tools/run_recipe.py configs/fbp/recipes/mae_ms_kd_demo.py`, which '
        'trains it and then this stage.'),
    student_recorders={{_base_.kd_recorders}},
    teacher_recorders={{_base_.kd_recorders}},
    connectors=dict(
        feat_proj=dict(
            type='LinearConnector', in_channels=32, out_channels=64)),
    distill_losses={{_base_.kd_losses}},
    loss_forward_mappings={{_base_.kd_mappings}},
    student_task_loss=True,
    task_loss_weight=1.0)
