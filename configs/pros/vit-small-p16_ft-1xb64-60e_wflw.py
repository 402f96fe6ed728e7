# Fine-tune the ProS-pretrained ViT-S/16 (the teacher backbone of
# configs/pros/pros_vit-small-p16_8xb64-100e_unlabeled-faces.py) for 98-point
# landmark regression on WFLW: the model, crops (annotated face box x1.25,
# 224 px) and schedule of the 300W config, with 98 points.
#
# Data (the official archives, data_root 'data/WFLW'):
#   data/WFLW/WFLW_images/0--Parade/0_Parade_marchingband_1_116.jpg ...
#   data/WFLW/WFLW_annotations/list_98pt_rect_attr_train_test/
#     list_98pt_rect_attr_train.txt   (7,500 faces)
#     list_98pt_rect_attr_test.txt    (2,500 faces)
# WFLW has only train / test, so checkpoints are selected on `split='val'`:
# a seeded 10% of the training list's images held out (`val_ratio`,
# `split_seed`; all faces of one image on the same side; `split='train'`
# is the rest), by NME (inter-ocular, outer eye corners 60 / 72, percent;
# lower is better). The official test list is evaluated once, with the
# selected checkpoint; for one of the paper's test subsets (the faces whose
# attribute flag is 1: pose, expression, illumination, make_up, occlusion,
# blur) add --cfg-options test_dataloader.dataset.subset=pose.
#
#   CFG=configs/pros/vit-small-p16_ft-1xb64-60e_wflw.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_nme_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = ['./vit-small-p16_ft-1xb64-60e_300w.py']

num_landmarks = 98

model = dict(head=dict(num_landmarks=num_landmarks))

wflw = dict(type='WFLW', data_root='data/WFLW')
holdout = dict(val_ratio=0.1, split_seed=0)

train_dataloader = dict(
    dataset=dict(_delete_=True, **wflw, **holdout, split='train',
                 pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, **wflw, **holdout, split='val',
                 pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(
    dataset=dict(_delete_=True, **wflw, split='test',
                 pipeline={{_base_.test_pipeline}}))
# WFLW's outer eye corners, given explicitly (the dataset's metainfo holds
# the same; NMEMetric's fallback would be the 68-point (36, 45)).
val_evaluator = dict(type='NMEMetric', normalize='inter_ocular',
                     eye_corners=(60, 72))
test_evaluator = val_evaluator
