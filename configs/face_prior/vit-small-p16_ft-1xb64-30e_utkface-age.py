# Age estimation on UTKFace: vit-small-p16_ft-1xb64-30e_agedb-age.py on
# UTKFace's aligned and cropped faces, ages 0-116. Headline metric: MAE in
# years.
#
# Data (the released UTKFace.tar.gz, data_root 'data/UTKFace'):
#   data/UTKFace/UTKFace/26_0_2_20170104023102422.jpg.chip.jpg ...
#                           (<age>_<gender>_<race>_<datetime>.jpg.chip.jpg)
# UTKFace has no official split and no identities, so UTKFaceAges draws
# seeded image-level hold-outs from the file names (the common 80 / 20
# protocol, with validation taken from the 80): `split='test'` is 20% of
# the images, `split='val'` 10% of the others and `split='train'` the
# rest. A few names of the release lack a field; skip_invalid=True drops
# them with one counted warning. Checkpoints are selected on `split='val'`
# by the lowest `mae`; the test split is evaluated once, with the selected
# checkpoint. (A converter's own `path age` lists read with
# ScoreListDataset instead.)
#
#   CFG=configs/face_prior/vit-small-p16_ft-1xb64-30e_utkface-age.py
#   python tools/train.py $CFG
#   python tools/test.py $CFG \
#       work_dirs/$(basename $CFG .py)/best_mae_epoch_N.pth
_base_ = ['./vit-small-p16_ft-1xb64-30e_agedb-age.py']

age_range = (0, 116)  # UTKFACE_AGE_RANGE of fbp_mm.datasets.age_list

model = dict(head=dict(score_range=age_range))

utkface = dict(
    type='UTKFaceAges',
    data_root='data/UTKFace',
    data_prefix='UTKFace',
    age_range=age_range,
    val_ratio=0.1,
    test_ratio=0.2,
    split_seed=0,
    skip_invalid=True)
train_dataloader = dict(
    dataset=dict(_delete_=True, **utkface, split='train',
                 pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    dataset=dict(_delete_=True, **utkface, split='val',
                 pipeline={{_base_.test_pipeline}}))
test_dataloader = dict(
    dataset=dict(_delete_=True, **utkface, split='test',
                 pipeline={{_base_.test_pipeline}}))
