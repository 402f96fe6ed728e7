# MAE-MS-KD at demo size on the synthetic demo faces (`make demo`):
#   python tools/dataset_converters/make_demo_faces.py data/demo_faces
#   python tools/run_recipe.py configs/fbp/recipes/mae_ms_kd_demo.py
# Tiny ViTs at 64 px (student 32 dims, teacher 64 dims, 2 layers each);
# the stages, rows and their wiring are those of ./mae_ms_kd.py. The demo
# data (make demo): 800 labeled faces (432 train, 48 validation, 320 test)
# and 4,000 unlabeled ones.
_base_ = ['./mae_ms_kd.py']

work_root = 'work_dirs/fbp_demo'

vars = dict(
    # Off to keep `make demo` within 10 minutes; the multi-seed run in the
    # README turns it on (--cfg-options vars.latent_kd=True).
    latent_kd=False,
    data_root='data/demo_faces',
    unlabeled_root='data/demo_faces',
    cnn='{{fileDirname}}/../resnet18-w16_1xb32-20e_demo-faces.py',
    teacher_pretrain='{{fileDirname}}/../demo/'
    'ms-mae_vit-tiny-p8_1xb64-8e_demo-faces.py',
    student_pretrain='{{fileDirname}}/../demo/'
    'mae_vit-tiny-p8_1xb64-8e_demo-faces.py',
    student_latent_pretrain='{{fileDirname}}/../demo/'
    'mae_vit-tiny-p8_latent-kd_1xb64-8e_demo-faces.py',
    ms_small_pretrain='{{fileDirname}}/../demo/'
    'ms-mae_vit-s32-p8_1xb64-8e_demo-faces.py',
    teacher_finetune='{{fileDirname}}/../demo/'
    'ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    student_finetune='{{fileDirname}}/../demo/'
    'mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    ms_small_finetune='{{fileDirname}}/../demo/'
    'ms-mae_vit-s32-p8_ft-1xb32-20e_demo-faces.py',
    student_kd='{{fileDirname}}/../demo/mae_ms_kd_demo-faces.py',
    student_kd_unlabeled='{{fileDirname}}/../demo/'
    'mae_ms_kd_unlabeled_demo-faces.py',
)

table = dict(
    title='MAE-MS-KD demo (synthetic faces: shows the recipe runs, says '
    'nothing about real faces)')
