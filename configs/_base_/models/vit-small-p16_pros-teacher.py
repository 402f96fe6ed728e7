# The ViT-S/16 that ProS pretrains, as an MMPretrain ImageClassifier for
# fine-tuning: its encoder comes from the ProS teacher of
# configs/pros/pros_vit-small-p16_8xb64-100e_unlabeled-faces.py (checkpoint
# keys 'teacher.module.backbone.*'). Configs add the head (and
# data_preprocessor.num_classes for classifiers).
custom_imports = dict(imports=['fbp_mm'], allow_failed_imports=False)
runner_type = 'FbpRunner'

pretrained = \
    'work_dirs/pros_vit-small-p16_8xb64-100e_unlabeled-faces/epoch_100.pth'

model = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        out_type='cls_token',
        drop_path_rate=0.1,
        init_cfg=dict(
            type='Pretrained',
            checkpoint=pretrained,
            prefix='teacher.module.backbone.')))
data_preprocessor = dict(
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
