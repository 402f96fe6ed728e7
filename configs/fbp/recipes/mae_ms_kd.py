# MAE-MS-KD as a recipe: every stage, in order, run by
#   python tools/run_recipe.py configs/fbp/recipes/mae_ms_kd.py
# Unlabeled faces (any folder tree) in vars.unlabeled_root, SCUT-FBP5500 in
# vars.data_root; change them with
#   --cfg-options vars.data_root=/data/SCUT-FBP5500_v2 \
#       vars.unlabeled_root=/data/faces
# Fine-tuning selects its checkpoint on a held-out part of the training
# list (the SCUT-FBP5500 `val` split); the test split is evaluated once, by
# the test_* stages at the end.
work_root = 'work_dirs/fbp_mae_ms_kd'

vars = dict(
    data_root='data/SCUT-FBP5500_v2',
    unlabeled_root='data/unlabeled_faces',
    teacher_pretrain='{{fileDirname}}/../'
    'ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py',
    student_pretrain='{{fileDirname}}/../'
    'mae_vit-small-p16_8xb64-400e_unlabeled-faces.py',
    teacher_finetune='{{fileDirname}}/../'
    'ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py',
    student_finetune='{{fileDirname}}/../'
    'mae_vit-small-p16_ft-1xb32-100e_scut-fbp5500.py',
    student_kd='{{fileDirname}}/../mae_ms_kd.py',
)

_unlabeled = {'train_dataloader.dataset.data_root': '@vars.unlabeled_root'}
_labeled = {
    f'{loader}.dataset.data_root': '@vars.data_root'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
}

stages = [
    dict(name='teacher_pretrain', type='train',
         config='@vars.teacher_pretrain', cfg_options=_unlabeled),
    dict(name='student_pretrain', type='train',
         config='@vars.student_pretrain', cfg_options=_unlabeled),
    dict(name='teacher_finetune', type='train',
         config='@vars.teacher_finetune', cfg_options=_labeled,
         inputs={'model.backbone.init_cfg.checkpoint':
                 '@teacher_pretrain.checkpoint'}),
    dict(name='student_finetune', type='train',
         config='@vars.student_finetune', cfg_options=_labeled,
         inputs={'model.backbone.init_cfg.checkpoint':
                 '@student_pretrain.checkpoint'}),
    dict(name='student_kd', type='train',
         config='@vars.student_kd', cfg_options=_labeled,
         inputs={'model.student.backbone.init_cfg.checkpoint':
                 '@student_pretrain.checkpoint',
                 'model.teacher_ckpt': '@teacher_finetune.checkpoint'}),
    dict(name='student_kd_extract', type='extract_student',
         checkpoint='@student_kd.checkpoint'),
    dict(name='test_teacher', type='test', config='@vars.teacher_finetune',
         checkpoint='@teacher_finetune.checkpoint', cfg_options=_labeled),
    dict(name='test_student', type='test', config='@vars.student_finetune',
         checkpoint='@student_finetune.checkpoint', cfg_options=_labeled),
    dict(name='test_student_kd', type='test', config='@vars.student_finetune',
         checkpoint='@student_kd_extract.checkpoint', cfg_options=_labeled),
]

table = dict(
    title='MAE-MS-KD',
    rows=[
        dict(name='teacher (MS-MAE)', stage='test_teacher'),
        dict(name='student, no KD', stage='test_student'),
        dict(name='student + KD (MAE-MS-KD)', stage='test_student_kd'),
    ],
    columns=[('plcc', 'PLCC', '.4f'), ('srcc', 'SRCC', '.4f'),
             ('mae', 'MAE', '.4f'), ('rmse', 'RMSE', '.4f'),
             ('params_m', 'params (M)', '.3f'), ('gflops', 'GFLOPs', '.3f'),
             ('images_per_s', 'images/s', '.0f')])
