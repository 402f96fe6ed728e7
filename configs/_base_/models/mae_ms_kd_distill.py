# What MAE-MS-KD distils, shared by the full and the demo configs: which
# outputs are recorded, which losses compare them. Configs combine these with
# a student, a teacher and a connector from the student's to the teacher's
# feature width (`feat_proj`). Names start with `kd_`, so the student config
# that tools/extract_student.py writes leaves them out.
kd_recorders = dict(
    scores=dict(module='head'),  # predicted scores (N, 1)
    feat=dict(module='neck', index=-1))  # fused multi-level feature (N, C)

kd_losses = dict(
    loss_kd_response=dict(type='MSELoss', loss_weight=1.0),
    loss_kd_feature=dict(type='FeatureCosineKD', loss_weight=1.0),
    loss_kd_relation=dict(type='RelationalDistanceKD', loss_weight=1.0))

kd_mappings = dict(
    loss_kd_response=dict(
        pred=dict(from_student=True, recorder='scores'),
        target=dict(from_student=False, recorder='scores')),
    loss_kd_feature=dict(
        student=dict(from_student=True, recorder='feat',
                     connector='feat_proj'),
        teacher=dict(from_student=False, recorder='feat')),
    loss_kd_relation=dict(
        student=dict(from_student=True, recorder='feat'),
        teacher=dict(from_student=False, recorder='feat')))
