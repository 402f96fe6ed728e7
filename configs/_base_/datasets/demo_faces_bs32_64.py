# The synthetic demo faces (tools/dataset_converters/make_demo_faces.py) in
# the SCUT-FBP5500 layout, read by the SCUT-FBP5500 dataset class at 64 px.
# Synthetic data: it exercises the whole pipeline, it says nothing about
# accuracy on real faces. Validation is the base's hold-out of the training
# list; the test split is only for the final evaluation.
_base_ = ['./scut_fbp5500_bs32_224.py']

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
    batch_size=32,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
