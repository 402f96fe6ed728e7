"""The ProS demo recipe at test size: curation, pretraining, few-shot rows."""
import json
import os.path as osp

from tool_runner import REPO_ROOT, python_tool, run_tool

RECIPE = osp.join(REPO_ROOT, 'configs', 'pros', 'recipes', 'pros_demo.py')
DEMO = osp.join(REPO_ROOT, 'configs', 'pros', 'demo')


def shrunk_configs(tmp_path):
    """The demo's stage configs at one epoch and small batches."""
    pretrain = '''
train_dataloader = dict(batch_size=16)
train_cfg = dict(max_epochs=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0)]
default_hooks = dict(checkpoint=dict(interval=1))
'''
    finetune = '''
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0)]
default_hooks = dict(checkpoint=dict(interval=1))
'''
    configs = {}
    for var, name, extra in [
        ('pros_pretrain', 'pros_vit-tiny-p8_1xb64-8e_demo-faces.py',
         pretrain + 'custom_hooks = [dict(type="TeacherTemperatureHook", '
         'warmup_epochs=0)]\n'),
        ('mae_pretrain', 'mae_vit-tiny-p8_1xb64-8e_demo-faces.py', pretrain),
        ('attributes', 'vit-tiny-p8_attributes-fewshot-10pct_demo-faces.py',
         finetune),
        ('landmarks', 'vit-tiny-p8_landmarks-fewshot-10pct_demo-faces.py',
         finetune),
    ]:
        path = tmp_path / f'{var}.py'
        path.write_text(f'_base_ = [{osp.join(DEMO, name)!r}]\n' + extra)
        configs[var] = str(path)
    return configs


def test_demo_recipe_runs_end_to_end(tmp_path):
    """Raw folder (faces + photos without faces) -> curation -> ProS, its
    no-prototype ablation and MAE -> few-shot attribute and landmark rows,
    each tested once; the encoders are wired into the fine-tuning."""
    from fbp_mm.generators import generate_demo_faces
    from fbp_mm.generators.non_faces import generate_non_faces
    faces = str(tmp_path / 'faces')
    generate_demo_faces(faces, num_labeled=40, num_unlabeled=96, size=128,
                        seed=0)
    non_faces = str(tmp_path / 'non_faces')
    generate_non_faces(non_faces, num=12, size=128)
    root = str(tmp_path / 'recipe')
    args = [
        RECIPE, '--work-root', root, '--cfg-options',
        f'vars.data_root={faces}', f'vars.raw_faces={faces}/unlabeled',
        f'vars.non_faces={non_faces}'
    ] + [f'vars.{k}={v}' for k, v in shrunk_configs(tmp_path).items()]
    proc = run_tool(python_tool('run_recipe.py', *args), timeout=600)

    # curation kept faces only: no photo without a face got through
    with open(osp.join(root, 'curate', 'report.json')) as f:
        report = json.load(f)
    with open(osp.join(root, 'curate', 'faces.txt')) as f:
        kept = [line.strip() for line in f if line.strip()]
    assert report['num_images'] == 96 + 12
    assert len(kept) == report['counts']['kept'] >= 48  # measured 75%
    with open(osp.join(root, 'curate', 'curation.jsonl')) as f:
        outcomes = {osp.basename(r['image']): r['outcome']
                    for r in map(json.loads, f)}
    assert all(outcomes[f'N{i + 1}.jpg'] != 'kept' for i in range(12))

    with open(osp.join(root, 'results.json')) as f:
        rows = {r['name']: r for r in json.load(f)['rows']}
    inits = ('random init', 'plain MAE init',
             'DINO init (ProS without prototypes)', 'ProS init')
    assert list(rows) == [f'{task}, {init}' for task in
                          ('attributes', 'landmarks') for init in inits]
    for name, row in rows.items():
        assert f'| {name} |' in proc.stdout
        if name.startswith('attributes'):
            assert 0 <= row['mean_accuracy'] <= 100
        else:
            assert row['nme'] > 0 and 0 <= row['failure_rate'] <= 100

    # each fine-tuning started from its encoder, the ablation has no
    # prototype loss
    def record(stage):
        with open(osp.join(root, stage, 'stage.json')) as f:
            return json.load(f)['spec']

    for task in ('attr', 'lmk'):
        assert record(f'{task}_random')['cfg_options'][
            'model.backbone.init_cfg'] is None
        for init, prefix in (('mae', 'backbone.'),
                             ('pros', 'teacher.module.backbone.'),
                             ('dino', 'teacher.module.backbone.')):
            spec = record(f'{task}_{init}')
            assert spec['cfg_options']['model.backbone.init_cfg'][
                'prefix'] == prefix
            assert spec['inputs']['model.backbone.init_cfg.checkpoint'] \
                .startswith(osp.join(root, f'{init}_pretrain'))
    assert record('dino_pretrain')['cfg_options'][
        'model.head.proto_loss_weight'] == 0.0
    log = open(osp.join(root, 'pros_pretrain', 'stage.log')).read()
    assert 'loss_proto: ' in log and 'teacher_entropy: ' in log
