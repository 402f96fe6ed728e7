# 1% CelebA attributes: vit-small-p16_ft-1xb64-30e_celeba-attributes.py
# trained on a seeded 1% of the official training partition (1,628 of
# 162,770 images), drawn by FewShotDataset with the run's seed
# (`randomness.seed`; --cfg-options randomness.seed=S for another draw).
# Checkpoints are selected on the official validation partition by
# `mean_accuracy`; the official test partition is evaluated once, with the
# selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_celeba-attributes_1pct.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_mean_accuracy_epoch_N.pth
_base_ = ['./vit-small-p16_ft-1xb64-30e_celeba-attributes.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='FewShotDataset',
        fraction=0.01,
        dataset={{_base_.train_dataloader.dataset}}))
default_hooks = dict(logger=dict(interval=10))
