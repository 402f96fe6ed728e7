# MAE-MS-KD as a recipe: every stage, in order, with the baselines and
# ablations the method claims to beat, run by
#   python tools/run_recipe.py configs/fbp/recipes/mae_ms_kd.py
# (add --seeds 0 1 2 for mean ± std over seeds). Unlabeled faces (any
# folder tree) in vars.unlabeled_root, SCUT-FBP5500 in vars.data_root:
#   --cfg-options vars.data_root=/data/SCUT-FBP5500_v2 \
#       vars.unlabeled_root=/data/faces
# Fine-tuning selects its checkpoint on a held-out part of the training
# list (the SCUT-FBP5500 `val` split); the test split is evaluated once, by
# the test_* stages at the end. Rows:
#   CNN / ViT-S from scratch      supervised baselines, labels only
#   ViT-S, plain MAE              stage 2 -> fine-tune (the student, no KD)
#   ViT-S, multi-scale MAE        the teacher's pretraining at the
#                                 student's size (equal-size ablation)
#   teacher (ViT-B, MS-MAE)       stage 1 -> stage 3
#   student + KD (MAE-MS-KD)      stage 2 -> stage 4, teacher distils
#   student + KD on unlabeled     the teacher also distils on unlabeled
#                                 faces mixed into the batches
#   student + latent KD + KD      KD at pretraining too (latent-KD MAE);
#                                 vars.latent_kd=False leaves it out
work_root = 'work_dirs/fbp_mae_ms_kd'

vars = dict(
    latent_kd=True,  # the KD-at-pretraining rows (an option of the method)
    data_root='data/SCUT-FBP5500_v2',
    unlabeled_root='data/unlabeled_faces',
    cnn='{{fileDirname}}/../resnet50_1xb32-60e_scut-fbp5500-6040.py',
    teacher_pretrain='{{fileDirname}}/../'
    'ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py',
    student_pretrain='{{fileDirname}}/../'
    'mae_vit-small-p16_8xb64-400e_unlabeled-faces.py',
    student_latent_pretrain='{{fileDirname}}/../'
    'mae_vit-small-p16_latent-kd_8xb64-400e_unlabeled-faces.py',
    ms_small_pretrain='{{fileDirname}}/../'
    'ms-mae_vit-small-p16_8xb64-400e_unlabeled-faces.py',
    teacher_finetune='{{fileDirname}}/../'
    'ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py',
    student_finetune='{{fileDirname}}/../'
    'mae_vit-small-p16_ft-1xb32-100e_scut-fbp5500.py',
    # the ViT from scratch trains the student's fine-tune config
    scratch_finetune='@vars.student_finetune',
    ms_small_finetune='{{fileDirname}}/../'
    'ms-mae_vit-small-p16_ft-1xb32-100e_scut-fbp5500.py',
    student_kd='{{fileDirname}}/../mae_ms_kd.py',
    student_kd_unlabeled='{{fileDirname}}/../mae_ms_kd_unlabeled.py',
)

_unlabeled = {'train_dataloader.dataset.data_root': '@vars.unlabeled_root'}
# KD on labeled + unlabeled faces: a ConcatDataset (labeled first).
_mixed = {
    'train_dataloader.dataset.datasets.0.data_root': '@vars.data_root',
    'train_dataloader.dataset.datasets.1.data_root': '@vars.unlabeled_root',
    'val_dataloader.dataset.data_root': '@vars.data_root',
    'test_dataloader.dataset.data_root': '@vars.data_root',
}
_labeled = {
    f'{loader}.dataset.data_root': '@vars.data_root'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
}


def _test(name, config, checkpoint):
    return dict(name=name, type='test', config=config, checkpoint=checkpoint,
                cfg_options=_labeled)


stages = [
    # supervised baselines
    dict(name='cnn_scratch', type='train', config='@vars.cnn',
         cfg_options=_labeled),
    dict(name='vit_scratch', type='train', config='@vars.scratch_finetune',
         cfg_options={**_labeled, 'model.backbone.init_cfg': None}),
    # self-supervised pretraining on the unlabeled faces
    dict(name='teacher_pretrain', type='train',
         config='@vars.teacher_pretrain', cfg_options=_unlabeled),
    dict(name='student_pretrain', type='train',
         config='@vars.student_pretrain', cfg_options=_unlabeled),
    dict(name='ms_small_pretrain', type='train',
         config='@vars.ms_small_pretrain', cfg_options=_unlabeled),
    dict(name='student_latent_pretrain', type='train',
         enabled='@vars.latent_kd',
         config='@vars.student_latent_pretrain', cfg_options=_unlabeled,
         inputs={'model.target_generator.init_cfg.checkpoint':
                 '@teacher_pretrain.checkpoint'}),
    # fine-tuning on the labels
    dict(name='teacher_finetune', type='train',
         config='@vars.teacher_finetune', cfg_options=_labeled,
         inputs={'model.backbone.init_cfg.checkpoint':
                 '@teacher_pretrain.checkpoint'}),
    dict(name='student_finetune', type='train',
         config='@vars.student_finetune', cfg_options=_labeled,
         inputs={'model.backbone.init_cfg.checkpoint':
                 '@student_pretrain.checkpoint'}),
    dict(name='ms_small_finetune', type='train',
         config='@vars.ms_small_finetune', cfg_options=_labeled,
         inputs={'model.backbone.init_cfg.checkpoint':
                 '@ms_small_pretrain.checkpoint'}),
    # distillation
    dict(name='student_kd', type='train',
         config='@vars.student_kd', cfg_options=_labeled,
         inputs={'model.student.backbone.init_cfg.checkpoint':
                 '@student_pretrain.checkpoint',
                 'model.teacher_ckpt': '@teacher_finetune.checkpoint'}),
    dict(name='student_kd_extract', type='extract_student',
         checkpoint='@student_kd.checkpoint'),
    dict(name='student_kd_unlabeled', type='train',
         config='@vars.student_kd_unlabeled', cfg_options=_mixed,
         inputs={'model.student.backbone.init_cfg.checkpoint':
                 '@student_pretrain.checkpoint',
                 'model.teacher_ckpt': '@teacher_finetune.checkpoint'}),
    dict(name='student_kd_unlabeled_extract', type='extract_student',
         checkpoint='@student_kd_unlabeled.checkpoint'),
    dict(name='student_latent_kd', type='train',
         config='@vars.student_kd', cfg_options=_labeled,
         inputs={'model.student.backbone.init_cfg.checkpoint':
                 '@student_latent_pretrain.checkpoint',
                 'model.teacher_ckpt': '@teacher_finetune.checkpoint'}),
    dict(name='student_latent_kd_extract', type='extract_student',
         checkpoint='@student_latent_kd.checkpoint'),
    # the test split, once, at the end
    _test('test_cnn', '@vars.cnn', '@cnn_scratch.checkpoint'),
    _test('test_vit_scratch', '@vars.student_finetune',
          '@vit_scratch.checkpoint'),
    _test('test_student', '@vars.student_finetune',
          '@student_finetune.checkpoint'),
    _test('test_ms_small', '@vars.ms_small_finetune',
          '@ms_small_finetune.checkpoint'),
    _test('test_teacher', '@vars.teacher_finetune',
          '@teacher_finetune.checkpoint'),
    _test('test_student_kd', '@vars.student_finetune',
          '@student_kd_extract.checkpoint'),
    _test('test_student_kd_unlabeled', '@vars.student_finetune',
          '@student_kd_unlabeled_extract.checkpoint'),
    _test('test_student_latent_kd', '@vars.student_finetune',
          '@student_latent_kd_extract.checkpoint'),
]

table = dict(
    title='MAE-MS-KD',
    rows=[
        dict(name='CNN from scratch', stage='test_cnn'),
        dict(name='student ViT from scratch', stage='test_vit_scratch'),
        dict(name='student ViT, plain MAE (no KD)', stage='test_student'),
        dict(name='student ViT, multi-scale MAE', stage='test_ms_small'),
        dict(name='teacher (multi-scale MAE)', stage='test_teacher'),
        dict(name='student + KD (MAE-MS-KD)', stage='test_student_kd'),
        dict(name='student + KD on unlabeled faces too',
             stage='test_student_kd_unlabeled'),
        dict(name='student + latent KD + KD',
             stage='test_student_latent_kd'),
    ],
    columns=[('plcc', 'PLCC', '.4f'), ('srcc', 'SRCC', '.4f'),
             ('mae', 'MAE', '.4f'), ('rmse', 'RMSE', '.4f'),
             ('params_m', 'params (M)', '.3f'), ('gflops', 'GFLOPs', '.3f'),
             ('images_per_s', 'images/s', '.0f')])
