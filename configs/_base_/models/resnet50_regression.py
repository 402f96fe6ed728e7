# ResNet-50 + global average pooling + linear regression head (one score).
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='RegressionHead',
        in_channels=2048,
        num_outputs=1,
        loss=dict(type='MSELoss', loss_weight=1.0)))
