# Supervised baseline: ResNet-50 regressor on SCUT-FBP5500 (60/40 split).
_base_ = [
    '../_base_/models/resnet50_regression.py',
    '../_base_/datasets/scut_fbp5500_bs32_224.py',
    '../_base_/schedules/fbp_adamw_60e.py',
    'mmpretrain::_base_/default_runtime.py',
]
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
# fbp_mm's runner: reads checkpoints safely where it can (README, trust)
runner_type = 'FbpRunner'

# Start from ImageNet weights when you have them locally, e.g.
# --cfg-options model.backbone.init_cfg.type=Pretrained \
#   model.backbone.init_cfg.checkpoint=checkpoints/resnet50_imagenet.pth \
#   model.backbone.init_cfg.prefix=backbone.
model = dict(head=dict(score_range=(1.0, 5.0)))

default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=1, max_keep_ckpts=2, save_best='plcc',
                    rule='greater'))
