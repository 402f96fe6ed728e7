# The ViT-S/16 that the Face-prior method pretrains (a shared encoder with
# pixel-, patch- and component-level auxiliary heads), as an MMPretrain
# ImageClassifier for fine-tuning: the ProS fine-tuning model
# (./vit-small-p16_pros-teacher.py) with its encoder taken from the
# Face-prior pretrain checkpoint instead: the last checkpoint of
# configs/face_prior/face-prior_vit-small-p16_8xb64-100e_unlabeled-faces.py
# where tools/train.py writes it, keys 'backbone.*'. Configs add the head
# (and data_preprocessor.num_classes for classifiers). Another checkpoint
# (e.g. a recipe's): --cfg-options model.backbone.init_cfg.checkpoint=PATH
_base_ = ['./vit-small-p16_pros-teacher.py']

pretrained = 'work_dirs/face-prior_vit-small-p16_8xb64-100e_unlabeled-' \
    'faces/epoch_100.pth'

model = dict(
    backbone=dict(
        init_cfg=dict(
            type='Pretrained', checkpoint=pretrained, prefix='backbone.')))
