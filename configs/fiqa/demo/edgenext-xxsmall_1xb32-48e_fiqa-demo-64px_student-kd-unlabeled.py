# The schedule lever of the Efficient-FIQA demo: the demo student with
# online KD on the unlabeled pools too
# (./edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd-unlabeled.py) for
# twice as long, 48 epochs with the lr step at 40 instead of 20. Its row in
# the demo recipe is on with --cfg-options vars.long_schedule=True.
_base_ = [
    './edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd-unlabeled.py'
]

param_scheduler = [
    dict(type='StepLR', by_epoch=True, step_size=40, gamma=0.1),
]
train_cfg = dict(max_epochs=48, val_interval=4)
