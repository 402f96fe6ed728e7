# Efficient-FIQA self-training as a recipe:
#   teacher on the labeled set L -> pseudo-labels for U1 -> teacher+ on
#   L + U1 -> pseudo-labels for U2 -> tiny student on L + U1 + U2
#   python tools/run_recipe.py configs/fiqa/recipes/efficient_fiqa.py \
#       --cfg-options vars.data_root=data/fiqa
# Data layout (vars.data_root): images/, train.csv, val.csv, test.csv
# (image_name,score) and unlabeled_1.txt, unlabeled_2.txt, paths relative
# to images/; tools/dataset_converters/make_degraded_faces.py writes it
# from any face folder. Checkpoints are selected on val.csv; test.csv is
# evaluated once by the test_* stages. The pseudo-labels are mapped to the
# label scale by a 4-parameter logistic fitted on train.csv.
work_root = 'work_dirs/fiqa_self_train'

vars = dict(
    data_root='data/fiqa',
    teacher='{{fileDirname}}/../swin-base_1xb32-30e_fiqa-448px_teacher.py',
    teacher_plus='{{fileDirname}}/../'
    'swin-base_1xb32-30e_fiqa-448px_teacher-plus.py',
    student='{{fileDirname}}/../'
    'edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py',
    # Additions to the published recipe (rows of their own): the student
    # distilled online from the live teacher+, on its training images and
    # on freshly degraded unlabeled images. Off by default (each pays a
    # Swin-B forward per step); --cfg-options vars.online_kd=True
    # vars.online_kd_unlabeled=True.
    online_kd=False,
    online_kd_unlabeled=False,
    # The published student (offline pseudo-labels only); False leaves its
    # row out.
    pseudo_label_student=True,
    student_kd='{{fileDirname}}/../'
    'edgenext-xxsmall_1xb32-30e_fiqa-352px_student-kd.py',
    student_kd_unlabeled='{{fileDirname}}/../'
    'edgenext-xxsmall_1xb32-30e_fiqa-352px_student-kd-unlabeled.py',
    # The schedule lever (a row of its own): the KD-on-unlabeled student
    # trained with the config below (a longer schedule); off by default.
    long_schedule=False,
    student_kd_unlabeled_long='{{fileDirname}}/../'
    'edgenext-xxsmall_1xb32-30e_fiqa-352px_student-kd-unlabeled.py',
)

_data = {
    f'{loader}.dataset.data_root': '@vars.data_root'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
}
_all_lists = ['train.csv', '@pseudo_u1.ann_file', '@pseudo_u2.ann_file']
# The KD-on-unlabeled student reads a ConcatDataset: labeled + pseudo-labeled
# lists (0), unlabeled_1.txt (1), unlabeled_2.txt (2).
_mixed = {
    **{f'train_dataloader.dataset.datasets.{i}.data_root': '@vars.data_root'
       for i in range(3)},
    **{f'{loader}.dataset.data_root': '@vars.data_root'
       for loader in ('val_dataloader', 'test_dataloader')},
}
# What both KD-on-unlabeled students train on: the mixed dataset, the
# labeled + pseudo-labeled lists, the live teacher+.
_kd_unlabeled = dict(
    cfg_options=_mixed,
    inputs={'train_dataloader.dataset.datasets.0.ann_file': _all_lists,
            'model.teacher_ckpt': '@teacher_plus.checkpoint'})
_pseudo = dict(unlabeled_root='@vars.data_root/images',
               fit_on='@vars.data_root/train.csv',
               fit_root='@vars.data_root/images',
               cfg_options={'test_dataloader.dataset.data_root':
                            '@vars.data_root'})

stages = [
    dict(name='teacher', type='train', config='@vars.teacher',
         cfg_options=_data),
    dict(name='pseudo_u1', type='pseudo_label', config='@vars.teacher',
         checkpoint='@teacher.checkpoint',
         unlabeled='@vars.data_root/unlabeled_1.txt', round=1, **_pseudo),
    dict(name='teacher_plus', type='train', config='@vars.teacher_plus',
         cfg_options=_data,
         inputs={'train_dataloader.dataset.ann_file':
                 ['train.csv', '@pseudo_u1.ann_file']}),
    dict(name='pseudo_u2', type='pseudo_label', config='@vars.teacher_plus',
         checkpoint='@teacher_plus.checkpoint',
         unlabeled='@vars.data_root/unlabeled_2.txt', round=2, **_pseudo),
    dict(name='student', type='train', config='@vars.student',
         enabled='@vars.pseudo_label_student', cfg_options=_data,
         inputs={'train_dataloader.dataset.ann_file': _all_lists}),
    dict(name='student_kd', type='train', config='@vars.student_kd',
         enabled='@vars.online_kd', cfg_options=_data,
         inputs={'train_dataloader.dataset.ann_file': _all_lists,
                 'model.teacher_ckpt': '@teacher_plus.checkpoint'}),
    dict(name='student_kd_extract', type='extract_student',
         checkpoint='@student_kd.checkpoint'),
    dict(name='student_kd_unlabeled', type='train',
         config='@vars.student_kd_unlabeled',
         enabled='@vars.online_kd_unlabeled', **_kd_unlabeled),
    dict(name='student_kd_unlabeled_extract', type='extract_student',
         checkpoint='@student_kd_unlabeled.checkpoint'),
    dict(name='student_kd_unlabeled_long', type='train',
         config='@vars.student_kd_unlabeled_long',
         enabled='@vars.long_schedule', **_kd_unlabeled),
    dict(name='student_kd_unlabeled_long_extract', type='extract_student',
         checkpoint='@student_kd_unlabeled_long.checkpoint'),
    dict(name='test_teacher', type='test', config='@vars.teacher',
         checkpoint='@teacher.checkpoint', cfg_options=_data),
    dict(name='test_teacher_plus', type='test', config='@vars.teacher_plus',
         checkpoint='@teacher_plus.checkpoint', cfg_options=_data),
    dict(name='test_student', type='test', config='@vars.student',
         checkpoint='@student.checkpoint', cfg_options=_data),
    dict(name='test_student_kd', type='test', config='@vars.student',
         checkpoint='@student_kd_extract.checkpoint', cfg_options=_data),
    dict(name='test_student_kd_unlabeled', type='test',
         config='@vars.student',
         checkpoint='@student_kd_unlabeled_extract.checkpoint',
         cfg_options=_data),
    dict(name='test_student_kd_unlabeled_long', type='test',
         config='@vars.student',
         checkpoint='@student_kd_unlabeled_long_extract.checkpoint',
         cfg_options=_data),
]

table = dict(
    title='Efficient-FIQA',
    rows=[
        dict(name='teacher', stage='test_teacher'),
        dict(name='teacher+', stage='test_teacher_plus'),
        dict(name='student (pseudo-labels, as published)',
             stage='test_student'),
        dict(name='student + online KD from teacher+',
             stage='test_student_kd'),
        dict(name='student + online KD, also on degraded unlabeled',
             stage='test_student_kd_unlabeled'),
        dict(name='the same, longer schedule',
             stage='test_student_kd_unlabeled_long'),
    ],
    mean_of=dict(challenge=['srcc', 'plcc']),
    columns=[('srcc', 'SRCC', '.4f'), ('plcc', 'PLCC', '.4f'),
             ('krcc', 'KRCC', '.4f'), ('rmse', 'RMSE', '.4f'),
             ('challenge', '(SRCC+PLCC)/2', '.4f'),
             ('params_m', 'params (M)', '.3f'), ('input_size', 'input', '.0f'),
             ('gflops', 'GFLOPs', '.3f'), ('images_per_s', 'images/s', '.0f')])
