# MAE-MS-KD stage 4 with the unlabeled faces in the distillation: batches
# mix the labeled SCUT-FBP5500 training faces with unlabeled faces; the
# teacher distils on all of them, the student's own regression loss sees
# the labeled ones only (TeacherStudentDistiller leaves images without a
# target out of it). Same teacher, student and KD losses as mae_ms_kd.py.
# Unlabeled faces: a folder tree under `unlabeled_root` (set
# train_dataloader.dataset.datasets.1.data_root, or use the recipe's
# vars.unlabeled_root).
_base_ = ['./mae_ms_kd.py']

unlabeled_root = 'data/unlabeled_faces'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            {{_base_.train_dataloader.dataset}},
            dict(
                type='UnlabeledFaceDataset',
                data_root=unlabeled_root,
                pipeline={{_base_.train_pipeline}}),
        ]))
