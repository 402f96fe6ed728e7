# Beauty levels on the synthetic demo faces: the generator writes
# levels/{train,val,test}.txt (score binned into 5 levels; val is held out
# of the 60% training list, test is the 40% test list). 64 px, CPU-sized.
_base_ = ['./resnet50_1xb32-60e_lsafbd-levels.py']

data_root = 'data/demo_faces'
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(64, 64)),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    num_workers=2,
    dataset=dict(data_root=data_root, ann_file='levels/train.txt',
                 pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(data_root=data_root, ann_file='levels/val.txt',
                 pipeline=test_pipeline))
test_dataloader = dict(
    num_workers=2,
    dataset=dict(data_root=data_root, ann_file='levels/test.txt',
                 pipeline=test_pipeline))

model = dict(
    backbone=dict(depth=18, stem_channels=16, base_channels=16),
    head=dict(in_channels=128))

optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=20,
         eta_min=1e-5),
]
train_cfg = dict(by_epoch=True, max_epochs=20, val_interval=5)
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(interval=5))
randomness = dict(seed=0)
