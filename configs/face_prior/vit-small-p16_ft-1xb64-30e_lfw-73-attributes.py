# Fine-tune the Face-prior-pretrained ViT-S/16 on LFW's 73 attributes
# (Kumar et al.'s lfw_attributes.txt, scores binarised at 0; LFWA, the 40
# attributes of the literature, is vit-small-p16_ft-1xb64-30e_lfwa-
# attributes.py): MMPretrain's
# multi-label linear head on the class token, 224 px, AdamW with
# layer-wise lr decay, 30 epochs, batch 64.
#
# Data (data_root 'data/LFW'):
#   data/LFW/lfw_attributes.txt                  (tab-separated, 73 scores)
#   data/LFW/lfw/Aaron_Eckhart/Aaron_Eckhart_0001.jpg ...   (LFW's images)
# The attribute file has no split, so LFWAttributes draws person-disjoint,
# seeded hold-outs from the names: `split='test'` is half of the people
# (`test_ratio`), `split='val'` 10% of the other people (`val_ratio`) and
# `split='train'` the rest; no person is in two splits. Checkpoints are
# selected on `split='val'` by `mean_accuracy` (mean over the attributes of
# AttributeAccuracy); the test split is evaluated once, with the selected
# checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_lfw-73-attributes.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_mean_accuracy_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
# (the CelebA attribute setting with LFW's data and 73 outputs)
_base_ = ['./vit-small-p16_ft-1xb64-30e_celeba-attributes.py']

model = dict(head=dict(num_classes=73))
data_preprocessor = dict(num_classes=73)
lfw = dict(
    _delete_=True,
    type='LFWAttributes',
    data_root='data/LFW',
    attr_file='lfw_attributes.txt',
    data_prefix='lfw',
    val_ratio=0.1,
    test_ratio=0.5,
    split_seed=0)
train_dataloader = dict(
    dataset=dict(**lfw, split='train',
                 pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(**lfw, split='val', pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(
    dataset=dict(**lfw, split='test', pipeline={{_base_.test_pipeline}}))
default_hooks = dict(logger=dict(interval=50))
