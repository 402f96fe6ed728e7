# Online response distillation for Efficient-FIQA students, shared by the
# full and the demo configs: the frozen teacher+ scores every image the
# student sees and the student learns that score with the recipe's own
# loss pair (MSE + PLCC, 1:1). Feature KD: ./fiqa_feature_kd.py. Names
# start with `kd_`, so the student config that tools/extract_student.py
# writes leaves them out.
kd_recorders = dict(kd_scores=dict(module='head'))  # scores (N, 1)

kd_losses = dict(
    loss_kd_mse=dict(type='MSELoss', loss_weight=1.0),
    loss_kd_plcc=dict(type='PLCCLoss', loss_weight=1.0))

kd_mappings = dict(
    loss_kd_mse=dict(
        pred=dict(from_student=True, recorder='kd_scores'),
        target=dict(from_student=False, recorder='kd_scores')),
    loss_kd_plcc=dict(
        pred=dict(from_student=True, recorder='kd_scores'),
        target=dict(from_student=False, recorder='kd_scores')))
