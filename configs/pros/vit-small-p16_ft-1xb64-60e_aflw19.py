# Fine-tune the ProS-pretrained ViT-S/16 (the teacher backbone of
# configs/pros/pros_vit-small-p16_8xb64-100e_unlabeled-faces.py) for
# 19-point landmark regression on AFLW-19: the model, crops (annotated face
# box x1.25, 224 px) and schedule of the 300W config, with 19 points.
#
# Data (data_root 'data/AFLW'):
#   data/AFLW/AFLWinfo_release.mat          (the AFLW-19 protocol file:
#                                            nameList, data, bbox,
#                                            mask_new, ra)
#   data/AFLW/data/flickr/0/image00002.jpg  (the AFLW image archive)
# The protocol's training part is the first 20,000 faces of `ra`, its test
# part the other 4,386 (AFLW-Full; AFLW-Frontal: the 1,314 of them with
# all 19 points visible). Checkpoints are selected on `split='val'`: a
# seeded 10% of the training part's images held out (`val_ratio`,
# `split_seed`; `split='train'` is the rest), by NME normalised by the
# annotated face box (sqrt(w * h), percent; lower is better). AFLW-Full is
# evaluated once, with the selected checkpoint; for AFLW-Frontal add
# --cfg-options test_dataloader.dataset.subset=frontal.
#
#   CFG=configs/pros/vit-small-p16_ft-1xb64-60e_aflw19.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_nme_epoch_N.pth
# (N: the epoch of the best validation score; the train log says.)
_base_ = ['./vit-small-p16_ft-1xb64-60e_300w.py']

num_landmarks = 19

model = dict(head=dict(num_landmarks=num_landmarks))

# the metric's normaliser is the annotated box, mapped into the crop
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='CropFaceBox', size=224, scale=1.25),
    dict(type='PackInputs', algorithm_keys=['face_landmarks', 'face_box']),
]
aflw = dict(type='AFLW19', data_root='data/AFLW')
holdout = dict(val_ratio=0.1, split_seed=0)

train_dataloader = dict(
    dataset=dict(_delete_=True, **aflw, **holdout, split='train',
                 pipeline=pipeline))
val_dataloader = dict(
    dataset=dict(_delete_=True, **aflw, **holdout, split='val',
                 pipeline=pipeline))
test_dataloader = dict(
    dataset=dict(_delete_=True, **aflw, split='test', subset='full',
                 pipeline=pipeline))
val_evaluator = dict(type='NMEMetric', normalize='face_box')
test_evaluator = val_evaluator
