# Fine-tune the Face-prior-pretrained ViT-S/16 on CelebA's 40 binary
# attributes: MMPretrain's multi-label linear head on the class token,
# 224 px, AdamW with layer-wise lr decay, 30 epochs, batch 64 (the setting
# of configs/pros/vit-small-p16_ft-1xb64-30e_celeba-attributes.py, from the
# Face-prior encoder).
#
# Data (the official archive, data_root 'data/CelebA'):
#   data/CelebA/img_align_celeba/000001.jpg ...   (aligned 178 x 218 crops)
#   data/CelebA/Anno/list_attr_celeba.txt
#   data/CelebA/Eval/list_eval_partition.txt      (0 train / 1 val / 2 test)
# Checkpoint selection: on CelebA's official validation partition by
# `mean_accuracy` (mean over the 40 attributes of AttributeAccuracy); the
# official test partition is evaluated once, with the selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_celeba-attributes.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_mean_accuracy_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = ['../pros/vit-small-p16_ft-1xb64-30e_celeba-attributes.py']

# the Face-prior encoder (keys 'backbone.*') instead of the ProS teacher
pretrained = 'work_dirs/face-prior_vit-small-p16_8xb64-100e_unlabeled-' \
    'faces/epoch_100.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(checkpoint=pretrained, prefix='backbone.')))
