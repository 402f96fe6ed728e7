# 10-shot RAF-DB: vit-small-p16_ft-1xb64-30e_rafdb.py trained on 10 images
# per emotion (70 faces), drawn by FewShotDataset from the training part
# (`split='train'`, the official training list less its 10% validation
# hold-out) with the run's seed (`randomness.seed`; --cfg-options
# randomness.seed=S for another draw). Checkpoints are selected on the
# same held-out validation split by `accuracy/top1`; the official test list
# is evaluated once, with the selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_rafdb_10shot.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_accuracy_top1_epoch_N.pth
_base_ = ['./vit-small-p16_ft-1xb64-30e_rafdb.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='FewShotDataset',
        shots=10,
        dataset={{_base_.train_dataloader.dataset}}))
default_hooks = dict(logger=dict(interval=1))
