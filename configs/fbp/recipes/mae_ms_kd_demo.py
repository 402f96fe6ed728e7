# MAE-MS-KD at demo size on the synthetic demo faces (`make demo`):
#   python tools/dataset_converters/make_demo_faces.py data/demo_faces
#   python tools/run_recipe.py configs/fbp/recipes/mae_ms_kd_demo.py
# Tiny ViTs at 64 px; the stages and their wiring are those of
# ./mae_ms_kd.py.
_base_ = ['./mae_ms_kd.py']

work_root = 'work_dirs/fbp_demo'

vars = dict(
    data_root='data/demo_faces',
    unlabeled_root='data/demo_faces',
    teacher_pretrain='{{fileDirname}}/../demo/'
    'ms-mae_vit-tiny-p8_1xb64-20e_demo-faces.py',
    student_pretrain='{{fileDirname}}/../demo/'
    'mae_vit-tiny-p8_1xb64-20e_demo-faces.py',
    teacher_finetune='{{fileDirname}}/../demo/'
    'ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    student_finetune='{{fileDirname}}/../demo/'
    'mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    student_kd='{{fileDirname}}/../demo/mae_ms_kd_demo-faces.py',
)

table = dict(
    title='MAE-MS-KD demo (synthetic faces: shows the recipe runs, says '
    'nothing about real faces)')
