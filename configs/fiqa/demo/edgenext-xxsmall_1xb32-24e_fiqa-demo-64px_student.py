# Tiny-input Efficient-FIQA student: the real student architecture
# (EdgeNeXt-XXS) at 64 px, on labeled + both pseudo-labeled sets. Trained
# from scratch (no ImageNet download) with the squash resize + flip and the
# linear head its test thresholds were measured with.
_base_ = ['../edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py']

data_root = 'data/fiqa_demo'
img_size = 64
pseudo_u1 = 'pseudo_u1.csv'
pseudo_u2 = 'pseudo_u2.csv'
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
    **loader,
    dataset=dict(
        data_root=data_root,
        ann_file=['train.csv', pseudo_u1, pseudo_u2],
        pipeline=train_pipeline))
val_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    **loader, dataset=dict(data_root=data_root, pipeline=test_pipeline))

# Trained from scratch on a few hundred images: start the residual branches
# at full strength (EdgeNeXt's default layer scale of 1e-6 leaves them
# nearly off for this short schedule) and drop no paths. The init_cfg
# replaces the full student's Pretrained one, so nothing is downloaded.
model = dict(
    backbone=dict(
        drop_path_rate=0.0,
        layer_scale_init_value=1.0,
        init_cfg=[
            dict(type='TruncNormal', layer=['Conv2d', 'Linear'], std=.02,
                 bias=0.),
            dict(type='Constant', layer=['LayerNorm'], val=1., bias=0.),
        ]),
    head=dict(hidden_channels=()))

# channels_last = True (from the 352 px student): on 2 CPU cores a KD step
# of the demo takes 97 ms instead of 154 ms (docs/benchmarks.md).

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='StepLR', by_epoch=True, step_size=20, gamma=0.1),
]
train_cfg = dict(max_epochs=24, val_interval=4)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=4, max_keep_ckpts=1))
randomness = dict(seed=0)
