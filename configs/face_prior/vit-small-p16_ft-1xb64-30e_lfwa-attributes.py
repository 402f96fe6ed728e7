# Fine-tune the Face-prior-pretrained ViT-S/16 on LFWA: the 40 binary
# attributes of LFW images released by CelebA's authors (Liu et al., ICCV
# 2015), with their train / test split: MMPretrain's multi-label linear
# head on the class token, 224 px, AdamW with layer-wise lr decay, 30
# epochs, batch 64 (the CelebA attribute setting with LFWA's data).
#
# Data (data_root 'data/LFWA'):
#   data/LFWA/lfw_att_40.mat            (AttrName, label, name; Matlab v5
#   data/LFWA/indices_train_test.mat     or v7.3, read with h5py)
#   data/LFWA/lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg ...  (LFW's images)
# The release splits 6,263 training from 6,880 test images and has no
# validation part, so checkpoints are selected on `split='val'`: a seeded
# 10% of the people of the training part (`val_ratio`, `split_seed`;
# `split='train'` is the other 90%; no person on both sides), by
# `mean_accuracy` (mean over the attributes of AttributeAccuracy). The test
# part is evaluated once, with the selected checkpoint. (Kumar et al.'s 73
# LFW attributes: vit-small-p16_ft-1xb64-30e_lfw-73-attributes.py.)
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_lfwa-attributes.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_mean_accuracy_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = ['./vit-small-p16_ft-1xb64-30e_celeba-attributes.py']

lfwa = dict(
    _delete_=True,
    type='LFWA',
    data_root='data/LFWA',
    val_ratio=0.1,
    split_seed=0)
train_dataloader = dict(
    dataset=dict(**lfwa, split='train',
                 pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(**lfwa, split='val', pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(
    dataset=dict(**lfwa, split='test', pipeline={{_base_.test_pipeline}}))
default_hooks = dict(logger=dict(interval=50))
