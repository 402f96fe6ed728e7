# Tiny Efficient-FIQA teacher for demos and tests: ResNet-18 with 16 base
# channels at 64 px (any MMPretrain backbone can be the teacher) on a
# generated degraded-face set (tools/dataset_converters/make_degraded_faces.py
# writes data/fiqa_demo). CPU-sized; not a recipe for real data: it keeps
# the squash resize + flip and the linear head its test thresholds were
# measured with, and downloads nothing (its ResNet replaces the Swin-B and
# with it the ImageNet init_cfg of the full teacher).
_base_ = ['../swin-base_1xb32-30e_fiqa-448px_teacher.py']

data_root = 'data/fiqa_demo'
img_size = 64
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(img_size, img_size)),
    dict(type='PackInputs'),
]
loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, pipeline=test_pipeline))

model = dict(
    backbone=dict(
        _delete_=True,
        type='ResNet',
        depth=18,
        stem_channels=16,
        base_channels=16,
        out_indices=(3, )),
    head=dict(in_channels=128, hidden_channels=()))

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='StepLR', by_epoch=True, step_size=5, gamma=0.1),
]
train_cfg = dict(max_epochs=12, val_interval=4)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=4, max_keep_ckpts=1))
randomness = dict(seed=0)
