# Fine-tune the Face-prior-pretrained ViT-S/16 on RAF-DB's seven basic
# emotions: linear classifier on the class token, aligned faces resized to
# 224 px, AdamW with layer-wise lr decay, 30 epochs, batch 64 (the setting
# of configs/pros/vit-small-p16_ft-1xb64-30e_rafdb.py, from the Face-prior
# encoder).
#
# Data (the official `basic` release, data_root 'data/RAF-DB'):
#   data/RAF-DB/EmoLabel/list_patition_label.txt   (train_* / test_* rows)
#   data/RAF-DB/Image/aligned/train_00001_aligned.jpg ... test_0001_aligned.jpg
# RAF-DB has only train / test, so checkpoints are selected on `split='val'`:
# a seeded 10% hold-out of the official training list (`val_ratio`,
# `split_seed`; `split='train'` is the other 90%), by top-1 accuracy
# (`accuracy/top1`). The official test list is evaluated once, with the
# selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_rafdb.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_accuracy_top1_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = ['../pros/vit-small-p16_ft-1xb64-30e_rafdb.py']

# the Face-prior encoder (keys 'backbone.*') instead of the ProS teacher
pretrained = 'work_dirs/face-prior_vit-small-p16_8xb64-100e_unlabeled-' \
    'faces/epoch_100.pth'
model = dict(
    backbone=dict(
        init_cfg=dict(checkpoint=pretrained, prefix='backbone.')))
