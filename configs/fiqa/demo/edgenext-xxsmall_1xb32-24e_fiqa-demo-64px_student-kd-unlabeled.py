# Demo student, online distillation on the unlabeled pools too (see
# ../edgenext-xxsmall_1xb32-30e_fiqa-352px_student-kd-unlabeled.py): the
# demo KD student (./edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd.py)
# with U1 and U2, freshly degraded every epoch, scored by the live teacher+.
# The recipe passes the lists and model.teacher_ckpt.
_base_ = [
    './edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd.py',
    '../../_base_/models/fiqa_feature_kd.py',
]

unlabeled_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='RandomFaceDegradation', severity=(0.0, 0.8), prob=0.5),
    dict(type='Resize', scale=({{_base_.img_size}}, {{_base_.img_size}})),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
unlabeled = dict(
    type='UnlabeledFaceDataset',
    data_root={{_base_.data_root}},
    data_prefix='images',
    pipeline=unlabeled_pipeline)

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            {{_base_.train_dataloader.dataset}},
            dict(**unlabeled, ann_file='unlabeled_1.txt'),
            dict(**unlabeled, ann_file='unlabeled_2.txt'),
        ]))

# Feature and relational KD on top of response KD (see
# fiqa_feature_kd.py): EdgeNeXt-XXS pooled feature (168) -> the ResNet-18/16
# teacher+'s (128).
model = dict(
    student_recorders={{_base_.kd_feature_student_recorders}},
    teacher_recorders={{_base_.kd_feature_teacher_recorders}},
    connectors=dict(
        kd_feat_proj=dict(
            type='LinearConnector', in_channels=168, out_channels=128)),
    distill_losses={{_base_.kd_feature_losses}},
    loss_forward_mappings={{_base_.kd_feature_mappings}})
