"""Efficient-FIQA: the self-training round on generated degraded faces,
and the student's compute budget."""
import json
import os.path as osp

import pytest
from tool_runner import REPO_ROOT, python_tool, run_tool

STUDENT = osp.join(REPO_ROOT, 'configs', 'fiqa',
                   'edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py')
DEMO_TEACHER = osp.join(REPO_ROOT, 'configs', 'fiqa', 'demo',
                        'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher.py')
STUDENT_KD_UNLABELED = osp.join(
    REPO_ROOT, 'configs', 'fiqa', 'demo',
    'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd-unlabeled.py')
# The claims of the demo, at the demo's size (the 102 package faces and 200
# synthetic ones, degraded as `make demo-fiqa` does; see fiqa_data). SRCC on
# the test split, seeds 0 / 1 / 2 of the demo itself: teacher 0.425 / 0.504 /
# 0.471, teacher+ 0.539 / 0.547 / 0.573, student with online KD on degraded
# unlabeled views 0.503 / 0.518 / 0.591 (0.93 / 0.95 / 1.03 x teacher+;
# channels-last, 2026-12-04). This test halves that student's schedule
# (KD_EPOCHS instead of 24; the rest is the demo's); on this test's faces,
# seeds 0 / 1 / 2 / 3: teacher 0.579 / 0.566 / 0.584 / 0.502, teacher+ 0.586 /
# 0.583 / 0.629 / 0.591, that student 0.574 / 0.544 / 0.603 / 0.551 (0.98 /
# 0.93 / 0.96 / 0.93 x teacher+; 1.01 / 1.00 at 24 epochs) channels-first. The
# demo's students train channels-last (the 352 px student's layout; 130 s
# instead of 174 s here): seeds 0 / 1 / 2 / 3 then gave teacher 0.582 / 0.573 /
# 0.574 / 0.507, teacher+ 0.597 / 0.581 / 0.637 / 0.581, student 0.574 / 0.521
# / 0.551 / 0.521 (0.96 / 0.90 / 0.86 / 0.90 x teacher+; 2026-12-03). At a
# third of the data the ratio fell to 0.78 and 0.69 (too few unlabeled views),
# so the test keeps the demo's data. Asserted: teacher+ is not below the
# teacher by more than PLUS_TOLERANCE (on this test's faces the two were
# close), and that student reaches STUDENT_SHARE x teacher+.
KD_EPOCHS = 12
STUDENT_SHARE = 0.8
PLUS_TOLERANCE = 0.03
MIN_TEACHER_SRCC = 0.2

def test_student_config_within_challenge_budget():
    proc = run_tool(
        python_tool('analysis/get_flops.py', STUDENT, '--shape', '352',
                    '--max-params', '5', '--max-gflops', '0.5'))
    assert 'Within budget.' in proc.stdout
    params = float(proc.stdout.split('Params: ')[1].split()[0])
    gflops = float(proc.stdout.split('FLOPs: ')[1].split()[0])
    assert 0.5 < params <= 5 and 0.1 < gflops <= 0.5


def test_self_train_tool_lists_the_round_and_needs_a_data_root(tmp_path):
    proc = run_tool(python_tool('self_train.py', '--data-root', 'data/x',
                                '--work-root', str(tmp_path), '--list'))
    names = [line.split()[0] for line in proc.stdout.splitlines()]
    assert names[:5] == ['teacher', 'pseudo_u1', 'teacher_plus', 'pseudo_u2',
                         'student']
    assert 'not run' in proc.stdout
    proc = run_tool(python_tool('self_train.py', '--demo'), check=False)
    assert proc.returncode == 2
    assert 'the following arguments are required: --data-root' in proc.stderr


def test_budget_gate_fails_an_oversized_model():
    proc = run_tool(
        python_tool('analysis/get_flops.py', DEMO_TEACHER, '--shape', '64',
                    '--max-gflops', '0.001'),
        check=False)
    assert proc.returncode == 1
    assert 'Over budget: FLOPs' in proc.stdout


@pytest.fixture(scope='module')
def fiqa_data(demo_faces, tmp_path_factory):
    """The demo's FIQA set: the 102 real package faces and 200 synthetic
    ones, degraded as `make demo-fiqa` does."""
    from fbp_mm.generators import make_degraded_faces
    from fbp_mm.generators.package_faces import collect_package_faces
    root = tmp_path_factory.mktemp('fiqa')
    src = str(root / 'src')
    collect_package_faces(src, extra_dir=osp.join(demo_faces, 'Images'),
                          extra_count=200)
    make_degraded_faces(src, str(root / 'data'), image_size=64, seed=0,
                        splits=(0.4, 0.15, 0.45),
                        unlabeled_fractions=(0.25, 0.25))
    return str(root / 'data')


ROWS = ['teacher', 'teacher+',
        'student + online KD, also on degraded unlabeled']


def test_self_train_recipe_student_matches_teacher_plus(fiqa_data, tmp_path):
    work = str(tmp_path / 'work')
    kd_cfg = tmp_path / 'student_kd_unlabeled.py'
    kd_cfg.write_text(f'''_base_ = [{STUDENT_KD_UNLABELED!r}]
param_scheduler = [
    dict(type='StepLR', by_epoch=True, step_size={KD_EPOCHS * 5 // 6},
         gamma=0.1)]
train_cfg = dict(max_epochs={KD_EPOCHS}, val_interval={KD_EPOCHS // 6})
default_hooks = dict(checkpoint=dict(interval={KD_EPOCHS // 6}))
''')
    # only the rows the claim needs, to save time; tools/self_train.py is
    # the demo recipe with --data-root as vars.data_root
    args = ['--demo', '--data-root', fiqa_data, '--work-root', work,
            '--cfg-options', 'vars.online_kd=False',
            'vars.pseudo_label_student=False', 'vars.long_schedule=False',
            f'vars.student_kd_unlabeled={kd_cfg}']
    proc = run_tool(python_tool('self_train.py', *args), timeout=1200)
    assert '| teacher |' in proc.stdout
    assert '[student_kd] disabled' in proc.stdout
    assert '[student] disabled' in proc.stdout
    assert 'the test split (test.csv), evaluated once' in proc.stdout
    with open(osp.join(work, 'results.json')) as f:
        results = json.load(f)
    assert results['test_files'] == [osp.join(fiqa_data, 'test.csv')]
    rows = {r['name']: r for r in results['rows']}
    assert list(rows) == ROWS
    for row in rows.values():
        assert row['challenge'] == pytest.approx(
            (row['srcc'] + row['plcc']) / 2)
    teacher, plus = rows['teacher']['srcc'], rows['teacher+']['srcc']
    student = rows[ROWS[2]]['srcc']
    assert teacher > MIN_TEACHER_SRCC
    assert plus >= teacher - PLUS_TOLERANCE, (plus, teacher)
    assert student >= STUDENT_SHARE * plus, (student, plus)
    assert rows[ROWS[2]]['params_m'] < 5
    assert rows[ROWS[2]]['input_size'] == 64

    # pseudo-labels carry provenance and the fitted mapping
    with open(osp.join(work, 'pseudo_u1', 'pseudo_u1.csv')) as f:
        header = f.readline().strip().split(',')
        rows_u1 = f.readlines()
    assert header == ['image', 'score', 'raw_score', 'model', 'round']
    with open(osp.join(fiqa_data, 'unlabeled_1.txt')) as f:
        assert len(rows_u1) == len([x for x in f if x.strip()])
    assert osp.isfile(osp.join(work, 'pseudo_u1', 'pseudo_u1.logistic.json'))
    # teacher+ trained on L and the teacher's pseudo-labels of U1
    with open(osp.join(work, 'teacher_plus', 'stage.json')) as f:
        spec = json.load(f)['spec']
    assert spec['inputs']['train_dataloader.dataset.ann_file'] == [
        'train.csv', osp.join(work, 'pseudo_u1', 'pseudo_u1.csv')]
    # the online-KD student: labeled + both pseudo-labeled lists, the live
    # teacher+, and both unlabeled pools
    with open(osp.join(work, 'student_kd_unlabeled', 'stage.json')) as f:
        record = json.load(f)
    inputs = record['spec']['inputs']
    assert inputs['model.teacher_ckpt'].startswith(
        osp.join(work, 'teacher_plus', 'best_srcc_epoch_'))
    assert inputs['train_dataloader.dataset.datasets.0.ann_file'] == [
        'train.csv', osp.join(work, 'pseudo_u1', 'pseudo_u1.csv'),
        osp.join(work, 'pseudo_u2', 'pseudo_u2.csv')]
    assert {f'data:{osp.join(fiqa_data, n)}'
            for n in ('unlabeled_1.txt', 'unlabeled_2.txt')} <= set(
                record['inputs'])

    again = run_tool(python_tool('self_train.py', *args, '--no-table'))
    assert again.stdout.count('up to date, skipped') == 9
    assert 'running' not in again.stdout
