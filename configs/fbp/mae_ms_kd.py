# MAE-MS-KD (Gan & Xiong, Sci. Rep. 2025), stage 4: fine-tune the MAE ViT-S
# student on SCUT-FBP5500 while the fine-tuned multi-scale MAE ViT-B
# teacher distils into it.
#
#   python tools/run_recipe.py configs/fbp/recipes/mae_ms_kd.py  # all stages
#   python tools/train.py configs/fbp/mae_ms_kd.py \
#       --cfg-options model.teacher_ckpt=TEACHER.pth  # this stage alone
#
# Inputs (the recipe passes both):
#   teacher: stage `teacher_finetune` of the recipe (a fine-tuned
#       configs/fbp/ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py),
#       model.teacher_ckpt=PATH. Without it the build stops with an error
#       that says so.
#   student init: stage `student_pretrain`,
#       model.student.backbone.init_cfg.checkpoint=PATH
#
# Losses: the student's own (MSE + PLCC on gt_score) + response KD (MSE to
# the teacher's scores) + feature KD (cosine between the fused neck
# features, student projected 384 -> 768) + relational KD (pairwise
# distances of the fused features within the batch). Teacher and student
# see the same augmented 224 px image, each with its own normalisation.
# Validation, test and deployment use the student alone;
# tools/extract_student.py writes the student's checkpoint and its plain
# config. Helper variables of distiller configs are named `teacher*` or
# `kd_*`: the student's extracted config leaves them out.
_base_ = [
    './mae_vit-small-p16_ft-1xb32-100e_scut-fbp5500.py',
    '../_base_/models/mae_ms_kd_distill.py',
]

# Beside this file, wherever it is run from.
teacher_config = \
    '{{ fileDirname }}/ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py'

model = dict(
    _delete_=True,
    type='TeacherStudentDistiller',
    student={{_base_.model}},
    teacher=dict(cfg_path=teacher_config),
    teacher_ckpt=None,
    teacher_ckpt_hint=(
        'The teacher is made by stage `teacher_finetune` of the recipe '
        'configs/fbp/recipes/mae_ms_kd.py: run `python tools/run_recipe.py '
        'configs/fbp/recipes/mae_ms_kd.py`, which trains it and then this '
        'stage.'),
    student_recorders={{_base_.kd_recorders}},
    teacher_recorders={{_base_.kd_recorders}},
    connectors=dict(
        feat_proj=dict(
            type='LinearConnector', in_channels=384, out_channels=768)),
    distill_losses={{_base_.kd_losses}},
    loss_forward_mappings={{_base_.kd_mappings}},
    student_task_loss=True,
    task_loss_weight=1.0)
