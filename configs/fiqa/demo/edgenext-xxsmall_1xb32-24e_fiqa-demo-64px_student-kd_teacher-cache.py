# The demo KD student (edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd.py
# beside this file) with the teacher-output cache: its pipeline is
# deterministic up to the horizontal flip, so the teacher+'s scores of each
# view are computed once (first epoch) and read from the cache afterwards,
# with no teacher forward. TeacherOutputCacheHook keys the cache by the
# teacher's weights, the images and the pipeline. As for that config, pass
# the teacher+ (stage `teacher_plus` of the demo recipe):
#   python tools/train.py THIS_CONFIG --cfg-options model.teacher_ckpt=T.pth
_base_ = ['./edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd.py']

model = dict(teacher_cache=dict(cache_dir='work_dirs/teacher_cache'))
custom_hooks = [dict(type='TeacherOutputCacheHook')]
