# Demo student with online distillation from the live teacher+ (see
# ../edgenext-xxsmall_1xb32-30e_fiqa-352px_student-kd.py): the demo
# student, data and schedule, plus response KD on every augmented image
# from the tiny demo teacher+. The recipe passes model.teacher_ckpt.
_base_ = [
    './edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student.py',
    '../../_base_/models/fiqa_response_kd.py',
]

teacher_config = \
    '{{ fileDirname }}/resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher-plus.py'

model = dict(
    _delete_=True,
    type='TeacherStudentDistiller',
    student={{_base_.model}},
    teacher=dict(cfg_path=teacher_config),
    teacher_ckpt=None,
    teacher_ckpt_hint=(
        'The demo teacher+ is made by stage `teacher_plus` of the recipe '
        'configs/fiqa/recipes/efficient_fiqa_demo.py: run `python '
        'tools/run_recipe.py configs/fiqa/recipes/efficient_fiqa_demo.py`.'),
    student_recorders={{_base_.kd_recorders}},
    teacher_recorders={{_base_.kd_recorders}},
    distill_losses={{_base_.kd_losses}},
    loss_forward_mappings={{_base_.kd_mappings}},
    student_task_loss=True)
