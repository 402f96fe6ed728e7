# Efficient-FIQA at demo size: tiny teacher (ResNet-18, 16 channels) and the
# EdgeNeXt-XXS student at 64 px on a generated degraded-face set:
#   python tools/dataset_converters/make_degraded_faces.py data/fiqa_demo
#   python tools/run_recipe.py configs/fiqa/recipes/efficient_fiqa_demo.py
# The stages and their wiring are those of ./efficient_fiqa.py.
_base_ = ['./efficient_fiqa.py']

work_root = 'work_dirs/fiqa_demo'

vars = dict(
    data_root='data/fiqa_demo',
    teacher='{{fileDirname}}/../demo/'
    'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher.py',
    teacher_plus='{{fileDirname}}/../demo/'
    'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher-plus.py',
    student='{{fileDirname}}/../demo/'
    'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student.py',
)

table = dict(title='Efficient-FIQA demo (generated degraded faces)')
