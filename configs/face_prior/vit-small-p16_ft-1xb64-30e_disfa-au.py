# Fine-tune the Face-prior-pretrained ViT-S/16 for DISFA facial action unit
# detection: occurrence of the 8 AUs of the DISFA protocol (intensity >= 2
# counts as present; tools/dataset_converters/au_lists.py disfa writes
# 0 / 1), otherwise as
# vit-small-p16_ft-1xb64-30e_bp4d-au.py.
#
# Data (data_root 'data/DISFA'):
#   data/DISFA/images/SN001/00001.jpg ...        (face crops per frame)
#   data/DISFA/lists/fold{1,2,3}.txt             (header "image AU1 AU2 ...")
# Subject-exclusive 3-fold cross-validation: train on folds 1 + 2, test on
# fold 3 (other folds: --cfg-options as in the BP4D config). Checkpoints are
# selected on a seeded 10% of the subjects of the training folds
# (`split='val'`) by `multi-label/f1-score`; the test fold is evaluated
# once, with the selected checkpoint.
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_disfa-au.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_multi-label_f1-score_epoch_N.pth
_base_ = ['./vit-small-p16_ft-1xb64-30e_bp4d-au.py']

# DISFA_AUS of fbp_mm.datasets.au_occurrence
aus = ['AU1', 'AU2', 'AU4', 'AU6', 'AU9', 'AU12', 'AU25', 'AU26']

model = dict(head=dict(num_classes=8))
data_preprocessor = dict(num_classes=8)

disfa = dict(data_root='data/DISFA', aus=aus)
train_dataloader = dict(dataset=disfa)
val_dataloader = dict(dataset=disfa)
test_dataloader = dict(dataset=disfa)
default_hooks = dict(logger=dict(interval=50))
