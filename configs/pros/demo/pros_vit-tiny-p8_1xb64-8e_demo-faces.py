# Demo of ProS pretraining on the synthetic demo faces' unlabeled pool
# (`make demo-pros`): a tiny ViT (64 dims, 2 layers) at 64 px with 8 px
# patches, two 64 px global and two 32 px local crops, a small projector
# (1,024 outputs, 64 prototypes), 8 epochs. CPU-sized; not a recipe for
# real data.
_base_ = ['../pros_vit-small-p16_8xb64-100e_unlabeled-faces.py']

out_channels = 1024
num_prototypes = 64

model = dict(
    backbone=dict(
        _delete_=True,
        type='VisionTransformer',
        arch=dict(embed_dims=64, num_layers=2, num_heads=2,
                  feedforward_channels=128),
        img_size=64,
        patch_size=8,
        out_type='cls_token'),
    neck=dict(in_channels=64, hidden_channels=256, bottleneck_channels=64,
              out_channels=out_channels, num_prototypes=num_prototypes),
    head=dict(out_channels=out_channels, num_prototypes=num_prototypes))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiCrop', global_size=64, local_size=32, num_local=2,
         global_scale=(0.5, 1.0), local_scale=(0.1, 0.5)),
    dict(type='PackInputs')
]
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root='data/demo_faces',
        ann_file='unlabeled.txt',
        pipeline=train_pipeline))

optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=7, by_epoch=True, begin=1, end=8,
         eta_min=1e-6, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=8)
custom_hooks = [
    dict(type='TeacherTemperatureHook', start=0.04, end=0.07,
         warmup_epochs=2)
]
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=4, max_keep_ckpts=1))
