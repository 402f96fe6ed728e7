# Demo of MAE-MS-KD stage 4 with the unlabeled faces in the distillation:
# every batch mixes labeled training faces with unlabeled ones (3 unlabeled
# for each labeled image); the teacher distils on all of them, the student's
# own regression loss sees the labeled ones only. The demo recipe passes the
# teacher and the student's pretrained encoder, as for mae_ms_kd_demo-faces.
_base_ = ['./mae_ms_kd_demo-faces.py']

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            {{_base_.train_dataloader.dataset}},
            dict(
                type='UnlabeledFaceDataset',
                data_root={{_base_.data_root}},
                ann_file='unlabeled.txt',
                indices=1296,
                pipeline={{_base_.train_pipeline}}),
        ]))
