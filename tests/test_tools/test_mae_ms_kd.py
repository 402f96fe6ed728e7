"""The MAE-MS-KD configs and pipeline, end to end at toy size."""
import json
import os.path as osp

import pytest
import torch
from tool_runner import REPO_ROOT, python_tool, run_tool

DEMO = osp.join(REPO_ROOT, 'configs', 'fbp', 'demo')
RECIPE = osp.join(REPO_ROOT, 'configs', 'fbp', 'recipes',
                  'mae_ms_kd_demo.py')
HEADLINE = osp.join(REPO_ROOT, 'configs', 'fbp', 'mae_ms_kd.py')
TEACHER_FT = osp.join(DEMO, 'ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py')
TINY_STUDENT = ('dict(_delete_=True, embed_dims=32, num_layers=2, '
                'num_heads=2, feedforward_channels=64)')


def data_overrides(data_root, epochs=1):
    """Config text pointing a fine-tune config at the test data."""
    return f'''
data_root = {data_root!r}
train_dataloader = dict(num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root, indices=96))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(data_root=data_root, indices=64))
test_dataloader = val_dataloader
train_cfg = dict(max_epochs={epochs}, val_interval={epochs})
param_scheduler = [dict(type='ConstantLR', factor=1.0)]
default_hooks = dict(logger=dict(interval=5))
'''


def test_headline_config_trains_and_evaluates(demo_faces, tmp_path):
    """configs/fbp/mae_ms_kd.py with toy sizes: the distiller trains with
    every KD loss, evaluates the student, and its student extracts."""
    import fbp_mm  # noqa: F401
    from mmengine.config import Config
    from mmpretrain.registry import MODELS

    teacher_cfg = Config.fromfile(TEACHER_FT)
    teacher_cfg.model.backbone.init_cfg = None
    teacher = MODELS.build(teacher_cfg.model)
    teacher_ckpt = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict()}, teacher_ckpt)

    cfg = tmp_path / 'kd.py'
    cfg.write_text(f'''
_base_ = [{HEADLINE!r}]
model = dict(
    student=dict(
        backbone=dict(arch={TINY_STUDENT}, img_size=64, patch_size=8,
                      out_indices=(0, 1), init_cfg=None),
        neck=dict(in_channels=32, num_levels=2, out_channels=32),
        head=dict(in_channels=32)),
    teacher=dict(cfg_path={TEACHER_FT!r}),
    teacher_ckpt={teacher_ckpt!r},
    connectors=dict(feat_proj=dict(in_channels=32, out_channels=64)))
pipeline = [dict(type='LoadImageFromFile'),
            dict(type='Resize', scale=(64, 64)), dict(type='PackInputs')]
train_dataloader = dict(dataset=dict(pipeline=pipeline))
val_dataloader = dict(dataset=dict(pipeline=pipeline))
''' + data_overrides(demo_faces))
    work = str(tmp_path / 'work')
    proc = run_tool(python_tool('train.py', str(cfg), '--work-dir', work))
    log = proc.stdout + proc.stderr
    for key in ('loss_mse', 'loss_plcc', 'loss_kd_response',
                'loss_kd_feature', 'loss_kd_relation'):
        assert f'{key}: ' in log, key
    assert 'Epoch(val) [1]' in log and 'plcc: ' in log

    # the distilled student deploys with the plain student config
    student = str(tmp_path / 'student.pth')
    run_tool(python_tool('extract_student.py', osp.join(work, 'epoch_1.pth'),
                         student))
    ckpt = torch.load(student, weights_only=False)
    assert ckpt['state_dict'] and all(
        not k.startswith(('student.', 'teacher.')) for k in ckpt['state_dict'])
    assert 'backbone.layers.1.ln1.weight' in ckpt['state_dict']


# Stages of the demo recipe that the asserted claim needs; the test runs
# them as the demo does (the demo's configs), on a face set of the demo's
# labeled size with a quarter of its unlabeled pool (mae_faces). Every
# other stage (the ViT from scratch too, through vars.scratch_finetune) is
# shrunk to one epoch: the test checks that its row is made and wired.
CLAIM_STAGES = ('teacher_pretrain', 'student_pretrain', 'teacher_finetune',
                'student_finetune')


def write_stage_configs(tmp_path, data_root, keep=()):
    """The demo stage configs shrunk to one or two epochs, except those in
    ``keep`` (left to the recipe's own configs)."""
    stages = {}
    for stage, name, extra in [
        ('teacher_pretrain', 'ms-mae_vit-tiny-p8_1xb64-8e_demo-faces.py',
         'pretrain'),
        ('student_pretrain', 'mae_vit-tiny-p8_1xb64-8e_demo-faces.py',
         'pretrain'),
        ('teacher_finetune', 'ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
         'finetune'),
        ('student_finetune', 'mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
         'finetune'),
        ('scratch_finetune', 'mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
         'finetune'),
        ('student_kd', 'mae_ms_kd_demo-faces.py', 'finetune'),
        ('ms_small_pretrain', 'ms-mae_vit-s32-p8_1xb64-8e_demo-faces.py',
         'pretrain'),
        ('ms_small_finetune', 'ms-mae_vit-s32-p8_ft-1xb32-20e_demo-faces.py',
         'finetune'),
        ('student_latent_pretrain',
         'mae_vit-tiny-p8_latent-kd_1xb64-8e_demo-faces.py', 'pretrain'),
        ('cnn', osp.join('..', 'resnet18-w16_1xb32-20e_demo-faces.py'),
         'finetune'),
        ('student_kd_unlabeled', 'mae_ms_kd_unlabeled_demo-faces.py',
         'mixed'),
    ]:
        if stage in keep:
            continue
        text = f'_base_ = [{osp.join(DEMO, name)!r}]\n'
        if extra == 'pretrain':
            text += f'''
train_dataloader = dict(batch_size=8,
                        dataset=dict(data_root={data_root!r}, indices=96))
train_cfg = dict(max_epochs=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0)]
'''
        elif extra == 'mixed':  # the recipe sets both data roots
            text += data_overrides(data_root).replace(
                ',\n                        dataset=dict(data_root=data_root,'
                ' indices=96))', ')', 1)
        else:
            text += data_overrides(data_root)
        path = tmp_path / f'{stage}.py'
        path.write_text(text)
        stages[stage] = str(path)
    return stages


ROW_NAMES = [
    'CNN from scratch', 'student ViT from scratch',
    'student ViT, plain MAE (no KD)', 'student ViT, multi-scale MAE',
    'teacher (multi-scale MAE)', 'student + KD (MAE-MS-KD)',
    'student + KD on unlabeled faces too', 'student + latent KD + KD'
]


@pytest.fixture(scope='module')
def mae_faces(tmp_path_factory):
    """The demo's labeled set (800 faces: 432 train, 48 validation, 320
    test) with 1,000 unlabeled faces (the demo: 4,000), at 64 px."""
    from fbp_mm.generators import generate_demo_faces
    root = str(tmp_path_factory.mktemp('mae_faces'))
    generate_demo_faces(
        root, num_labeled=800, num_unlabeled=1000, size=64, seed=0)
    return root


# The demo's claims on its own 3 seeds (README; PLCC on the test split):
# the teacher beats the student without KD on every seed (by 0.11 / 0.29 /
# 0.12), and so does the student distilled on unlabeled faces too (by 0.03
# / 0.22 / 0.09). On this test's faces (recipe seeds 0 / 1 / 2, the demo's
# claim stages as they are): student without KD 0.324 / 0.262 / 0.275,
# teacher 0.444 / 0.525 / 0.426 (+0.12 / +0.26 / +0.15). With 2,000
# unlabeled faces the lead was +0.08 / +0.12 / +0.24 and KD on unlabeled
# faces gained -0.03 / +0.19 / +0.06 (with checkpoint selection every
# epoch: -0.03 / +0.24 / +0.16): not stable, so only the teacher's lead is
# asserted, by TEACHER_MARGIN, and the KD stages run one epoch. The demo's
# other claims (multi-scale MAE >= plain MAE > scratch at equal size) did
# not hold on every seed of the demo either; the README says so.
TEACHER_MARGIN = 0.05


def test_recipe_rows_wiring_and_claims(mae_faces, tmp_path):
    """The demo recipe at test size: every row made and wired, the
    teacher ahead of the student without KD, a second run skips, a stopped
    stage resumes."""
    stages = write_stage_configs(tmp_path, mae_faces, keep=CLAIM_STAGES)
    root = str(tmp_path / 'recipe')
    args = [
        RECIPE, '--work-root', root, '--cfg-options',
        f'vars.data_root={mae_faces}', f'vars.unlabeled_root={mae_faces}',
        'vars.latent_kd=True'
    ] + [f'vars.{k}={v}' for k, v in stages.items()]
    proc = run_tool(python_tool('run_recipe.py', *args), timeout=900)
    out = proc.stdout
    for name in ROW_NAMES:
        assert f'| {name} |' in out, name
    with open(osp.join(root, 'results.json')) as f:
        rows = {r['name']: r for r in json.load(f)['rows']}
    assert list(rows) == ROW_NAMES
    teacher = rows['teacher (multi-scale MAE)']
    plain = rows['student ViT, plain MAE (no KD)']
    kd = rows['student + KD (MAE-MS-KD)']
    assert teacher['plcc'] >= plain['plcc'] + TEACHER_MARGIN, (teacher, plain)
    assert rows['student ViT from scratch']['params_m'] == plain['params_m']
    # the student is the smaller network, KD or not (same architecture)
    assert kd['params_m'] == plain['params_m'] < teacher['params_m']
    assert kd['gflops'] < teacher['gflops']
    for row in rows.values():
        assert -1 <= row['plcc'] <= 1 and row['rmse'] > 0
        assert row['images_per_s'] > 0
    # the KD stage was fed the teacher's and the student's checkpoints
    with open(osp.join(root, 'student_kd', 'stage.json')) as f:
        record = json.load(f)
    assert record['spec']['inputs']['model.teacher_ckpt'].startswith(
        osp.join(root, 'teacher_finetune', 'best_'))
    assert any(k.startswith('weights:') for k in record['inputs'])
    # the ViT from scratch trained vars.scratch_finetune, not the student's
    with open(osp.join(root, 'vit_scratch', 'stage.json')) as f:
        scratch = json.load(f)['spec']
    assert scratch['config'] == stages['scratch_finetune']

    # a second run trains nothing
    again = run_tool(python_tool('run_recipe.py', *args, '--no-table'))
    assert again.stdout.count('up to date, skipped') == 23
    assert 'running' not in again.stdout

    # an interrupted stage (its record says running) resumes
    record['status'] = 'running'
    with open(osp.join(root, 'student_kd', 'stage.json'), 'w') as f:
        json.dump(record, f)
    resumed = run_tool(python_tool('run_recipe.py', *args, '--no-table'))
    assert '[student_kd] resuming' in resumed.stdout
    assert 'resuming from the last checkpoint' in resumed.stdout


def test_headline_config_without_teacher_says_how_to_get_one(tmp_path):
    proc = run_tool(
        python_tool('train.py', HEADLINE, '--work-dir', str(tmp_path)),
        check=False)
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr
    assert 'error: TeacherStudentDistiller: model.teacher_ckpt is not set' \
        in proc.stderr
    assert 'stage `teacher_finetune` of the recipe ' \
        'configs/fbp/recipes/mae_ms_kd.py' in proc.stderr
