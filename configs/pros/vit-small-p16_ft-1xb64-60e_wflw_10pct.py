# 10% WFLW: vit-small-p16_ft-1xb64-60e_wflw.py trained on a seeded 10% of
# the faces of the training part (`split='train'`, the official training
# list less the images of its 10% validation hold-out), drawn by
# FewShotDataset with the run's seed (`randomness.seed`; --cfg-options
# randomness.seed=S for another draw). Checkpoints are selected on the same
# held-out validation split by NME (inter-ocular, lower is better); the
# official test list is evaluated once, with the selected checkpoint.
#
#   CFG=configs/pros/vit-small-p16_ft-1xb64-60e_wflw_10pct.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_nme_epoch_N.pth
_base_ = ['./vit-small-p16_ft-1xb64-60e_wflw.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='FewShotDataset',
        fraction=0.1,
        dataset={{_base_.train_dataloader.dataset}}))
default_hooks = dict(logger=dict(interval=5))
