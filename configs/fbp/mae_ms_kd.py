# MAE-MS-KD (Gan & Xiong, Sci. Rep. 2025), stage 4: fine-tune the MAE ViT-S
# student on SCUT-FBP5500 while the fine-tuned multi-scale MAE ViT-B
# teacher distils into it.
#
#   python tools/train.py configs/fbp/mae_ms_kd.py
#
# Inputs (defaults below; tools/fbp_pipeline.py produces and passes them):
#   student init: stage 2 checkpoint,
#       model.student.backbone.init_cfg.checkpoint=PATH
#   teacher: stage 3 checkpoint, model.teacher_ckpt=PATH
#       e.g. work_dirs/<stage 3 config>/best_plcc_epoch_93.pth
#
# Losses: the student's own (MSE + PLCC on gt_score) + response KD (MSE to
# the teacher's scores) + feature KD (cosine between the fused neck
# features, student projected 384 -> 768) + relational KD (pairwise
# distances of the fused features within the batch).
# Validation, test and deployment use the student alone;
# tools/extract_student.py writes a checkpoint that
# configs/fbp/mae_vit-small-p16_ft-1xb32-100e_scut-fbp5500.py loads.
_base_ = [
    './mae_vit-small-p16_ft-1xb32-100e_scut-fbp5500.py',
    '../_base_/models/mae_ms_kd_distill.py',
]

teacher_config = \
    'configs/fbp/ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py'
teacher_ckpt = \
    'work_dirs/ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500/best.pth'

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
            type='LinearConnector', in_channels=384, out_channels=768)),
    distill_losses={{_base_.kd_losses}},
    loss_forward_mappings={{_base_.kd_mappings}},
    student_task_loss=True,
    task_loss_weight=1.0)
