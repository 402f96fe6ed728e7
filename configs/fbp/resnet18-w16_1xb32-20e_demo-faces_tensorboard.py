# The demo regressor (resnet18-w16_1xb32-20e_demo-faces.py) logging to
# TensorBoard as well as to local files: losses, learning rate and the
# validation metrics as scalars, and at test time the faces with predicted
# and true scores drawn (ScoreVisualizationHook through ScoreVisualizer), in
# <work_dir>/<timestamp>/vis_data/. Needs `pip install tensorboard` (not
# installed by make); then `tensorboard --logdir work_dirs`.
#
#   CFG=configs/fbp/resnet18-w16_1xb32-20e_demo-faces_tensorboard.py
#   python tools/train.py $CFG && python tools/test.py $CFG CKPT
_base_ = ['./resnet18-w16_1xb32-20e_demo-faces.py']

visualizer = dict(
    _delete_=True,
    type='ScoreVisualizer',
    vis_backends=[
        dict(type='LocalVisBackend'),
        dict(type='TensorboardVisBackend'),
    ])
# Every 20th test face to the visualizer's backends (no out_dir: no files
# of its own).
custom_hooks = [dict(type='ScoreVisualizationHook', interval=20)]
