# Efficient-FIQA teacher+: the teacher's recipe retrained on labeled data
# plus the first pseudo-labeled set (U1, labeled by the teacher).
_base_ = ['./swin-base_1xb32-30e_fiqa-448px_teacher.py']

pseudo_u1 = 'work_dirs/fiqa_self_train/2_pseudo_u1/pseudo_u1.csv'

train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            {{_base_.train_dataloader.dataset}},
            dict(
                type='ScoreListDataset',
                data_root={{_base_.data_root}},
                data_prefix='images',
                ann_file=pseudo_u1,
                pipeline={{_base_.train_pipeline}}),
        ]))
