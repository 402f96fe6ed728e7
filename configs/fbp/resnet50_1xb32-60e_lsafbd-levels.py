# Beauty levels (5 classes) with MMPretrain's classification head and
# Accuracy, on an LSAFBD-style list (see the dataset base config).
_base_ = [
    'mmpretrain::_base_/models/resnet50.py',
    '../_base_/datasets/beauty_levels_bs32_224.py',
    '../_base_/schedules/fbp_adamw_60e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
# fbp_mm's runner: reads checkpoints safely where it can (README, trust)
runner_type = 'FbpRunner'

model = dict(head=dict(num_classes=5, topk=(1, 2)))

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=2,
                    save_best='accuracy/top1', rule='greater'))
