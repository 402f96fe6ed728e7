# Efficient-FIQA student with online distillation from the live teacher+
# (an addition to the published recipe, which distils offline through the
# pseudo-labels only): the same EdgeNeXt-XXS student, data (labeled + both
# pseudo-labeled sets) and schedule as
# ./edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py, plus response KD on
# every augmented image (../_base_/models/fiqa_response_kd.py): the frozen
# Swin-B teacher+ scores the very crop the student sees, resized to its
# 448 px. The recipe configs/fiqa/recipes/efficient_fiqa.py passes
# model.teacher_ckpt.
_base_ = [
    './edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py',
    '../_base_/models/fiqa_response_kd.py',
]

teacher_config = \
    '{{ fileDirname }}/swin-base_1xb32-30e_fiqa-448px_teacher-plus.py'

model = dict(
    _delete_=True,
    type='TeacherStudentDistiller',
    student={{_base_.model}},
    teacher=dict(cfg_path=teacher_config),
    teacher_ckpt=None,
    teacher_ckpt_hint=(
        'The teacher+ is made by stage `teacher_plus` of the recipe '
        'configs/fiqa/recipes/efficient_fiqa.py: run `python '
        'tools/run_recipe.py configs/fiqa/recipes/efficient_fiqa.py`.'),
    teacher_input_size=448,
    student_recorders={{_base_.kd_recorders}},
    teacher_recorders={{_base_.kd_recorders}},
    distill_losses={{_base_.kd_losses}},
    loss_forward_mappings={{_base_.kd_mappings}},
    student_task_loss=True)
