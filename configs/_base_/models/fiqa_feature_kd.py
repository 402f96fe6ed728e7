# Feature KD for Efficient-FIQA students, added to response KD
# (./fiqa_response_kd.py) by the *-student-kd-unlabeled configs: the student's
# pooled feature (EdgeNeXt with gap_before_final_norm: its last backbone
# output) is projected to the teacher's pooled feature (its neck) and
# matched in direction (cosine), and the pairwise distances between the
# images of a batch are matched too (relational KD). A score is one
# number per image; the feature gives the student far more to learn from
# each unlabeled view. The configs add the `kd_feat_proj` connector with the
# two widths.
kd_feature_student_recorders = dict(
    kd_feat=dict(module='backbone', index=-1))
kd_feature_teacher_recorders = dict(kd_feat=dict(module='neck', index=-1))

kd_feature_losses = dict(
    loss_kd_feature=dict(type='FeatureCosineKD', loss_weight=1.0),
    loss_kd_relation=dict(type='RelationalDistanceKD', loss_weight=1.0))

kd_feature_mappings = dict(
    loss_kd_feature=dict(
        student=dict(from_student=True, recorder='kd_feat',
                     connector='kd_feat_proj'),
        teacher=dict(from_student=False, recorder='kd_feat')),
    loss_kd_relation=dict(
        student=dict(from_student=True, recorder='kd_feat'),
        teacher=dict(from_student=False, recorder='kd_feat')))
