# ViT-S/16 (DeiT-small widths: 384 dims, 12 layers, 6 heads) + regression
# head on the class token.
model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        out_type='cls_token'),
    neck=None,
    head=dict(
        type='RegressionHead',
        in_channels=384,
        num_outputs=1,
        loss=dict(type='MSELoss', loss_weight=1.0)))
