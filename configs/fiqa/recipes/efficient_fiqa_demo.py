# Efficient-FIQA at demo size (`make demo-fiqa`): tiny teacher (ResNet-18,
# 16 channels) and the EdgeNeXt-XXS student at 64 px on a degraded-face set
# made from the real faces installed packages ship plus synthetic faces:
#   python tools/dataset_converters/collect_package_faces.py data/fiqa_src \
#       --extra-dir data/demo_faces/unlabeled --extra-count 200
#   python tools/dataset_converters/make_degraded_faces.py data/fiqa_src \
#       data/fiqa_demo --size 64 --splits 0.4 0.15 0.45 --unlabeled 0.25 0.25
#   python tools/run_recipe.py configs/fiqa/recipes/efficient_fiqa_demo.py
# The stages and their wiring are those of ./efficient_fiqa.py, with the
# online-KD student rows and the longer-schedule row on.
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
    online_kd=True,
    online_kd_unlabeled=True,
    # the row that shows the claim (README): the KD-on-unlabeled student
    # at 48 epochs
    long_schedule=True,
    student_kd='{{fileDirname}}/../demo/'
    'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd.py',
    student_kd_unlabeled='{{fileDirname}}/../demo/'
    'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd-unlabeled.py',
    student_kd_unlabeled_long='{{fileDirname}}/../demo/'
    'edgenext-xxsmall_1xb32-48e_fiqa-demo-64px_student-kd-unlabeled.py',
)

table = dict(
    title='Efficient-FIQA demo (102 real package faces + 200 synthetic '
    'faces, generated degradations)')
