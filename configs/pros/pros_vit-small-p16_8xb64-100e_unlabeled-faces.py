# ProS pretraining (Di et al., WACV 2024) of a ViT-S/16 on unlabeled faces
# (curate them first: tools/curate_faces.py, or the recipe
# configs/pros/recipes/pros.py). Student: ViT + ProSProjector; teacher: its
# EMA (momentum 0.996 -> 1, written as MMEngine's student weight 0.004 ->
# 0); self-distillation loss with centering and a teacher temperature
# warmed up from 0.04 to 0.07 over 30 epochs, plus the prototype matching
# loss over 256 learnable prototypes. Fine-tune the teacher's backbone:
#   init_cfg=dict(type='Pretrained', checkpoint='.../epoch_100.pth',
#                 prefix='teacher.module.backbone.')
# Where the paper's abstract is silent (prototype count, temperatures,
# which feature meets the prototypes, loss weights), the choices are the
# defaults of ProSProjector / ProSHead, each a switch below.
_base_ = [
    '../_base_/datasets/unlabeled_faces_multicrop_224.py',
    '../_base_/schedules/pros_adamw_100e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
runner_type = 'FbpRunner'

out_channels = 65536
num_prototypes = 256

model = dict(
    type='ProS',
    backbone=dict(
        type='VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        out_type='cls_token'),
    neck=dict(
        type='ProSProjector',
        in_channels=384,
        hidden_channels=2048,
        bottleneck_channels=256,
        out_channels=out_channels,
        num_prototypes=num_prototypes,
        proto_input='backbone',
        norm_last_layer=True),
    head=dict(
        type='ProSHead',
        out_channels=out_channels,
        num_prototypes=num_prototypes,
        student_temp=0.1,
        teacher_temp=0.04,
        center_momentum=0.9,
        proto_student_temp=0.1,
        proto_teacher_temp=0.05,
        center_proto=True,
        loss_weight=1.0,
        proto_loss_weight=1.0),
    num_global_views=2,
    teacher_momentum=0.004,
    teacher_end_momentum=0.0)

custom_hooks = [
    dict(type='TeacherTemperatureHook', start=0.04, end=0.07,
         warmup_epochs=30)
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(type='CheckpointHook', interval=10, max_keep_ckpts=2))
randomness = dict(seed=0, diff_rank_seed=True)
