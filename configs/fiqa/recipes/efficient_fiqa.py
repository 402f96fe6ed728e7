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
)

_data = {
    f'{loader}.dataset.data_root': '@vars.data_root'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
}
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
         cfg_options=_data,
         inputs={'train_dataloader.dataset.ann_file':
                 ['train.csv', '@pseudo_u1.ann_file',
                  '@pseudo_u2.ann_file']}),
    dict(name='test_teacher', type='test', config='@vars.teacher',
         checkpoint='@teacher.checkpoint', cfg_options=_data),
    dict(name='test_teacher_plus', type='test', config='@vars.teacher_plus',
         checkpoint='@teacher_plus.checkpoint', cfg_options=_data),
    dict(name='test_student', type='test', config='@vars.student',
         checkpoint='@student.checkpoint', cfg_options=_data),
]

table = dict(
    title='Efficient-FIQA',
    rows=[
        dict(name='teacher', stage='test_teacher'),
        dict(name='teacher+', stage='test_teacher_plus'),
        dict(name='student', stage='test_student'),
    ],
    mean_of=dict(challenge=['srcc', 'plcc']),
    columns=[('srcc', 'SRCC', '.4f'), ('plcc', 'PLCC', '.4f'),
             ('krcc', 'KRCC', '.4f'), ('rmse', 'RMSE', '.4f'),
             ('challenge', '(SRCC+PLCC)/2', '.4f'),
             ('params_m', 'params (M)', '.3f'), ('input_size', 'input', '.0f'),
             ('gflops', 'GFLOPs', '.3f'), ('images_per_s', 'images/s', '.0f')])
