"""The Face-prior demo recipe at test size: pretraining with and without
each auxiliary level, plain MAE, few-shot attribute and beauty probes (the
all-label probes left out: the same stages on more data)."""
import glob
import json
import os.path as osp

from tool_runner import REPO_ROOT, python_tool, run_tool

RECIPE = osp.join(REPO_ROOT, 'configs', 'face_prior', 'recipes',
                  'face_prior_demo.py')
DEMO = osp.join(REPO_ROOT, 'configs', 'face_prior', 'demo')


def shrunk_configs(tmp_path):
    """The demo's stage configs at one epoch and small batches."""
    pretrain = '''
train_dataloader = dict(batch_size=16)
train_cfg = dict(max_epochs=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0)]
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
'''
    finetune = '''
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = [dict(type='ConstantLR', factor=1.0)]
default_hooks = dict(checkpoint=dict(interval=1))
'''
    configs = {}
    for var, folder, name, extra in [
        ('face_prior', DEMO, 'face-prior_vit-tiny-p8_1xb64-8e_demo-faces.py',
         pretrain),
        ('mae', DEMO, 'mae_vit-tiny-p8_1xb64-8e_demo-faces.py', pretrain),
        ('attributes', DEMO,
         'vit-tiny-p8_attributes-linear-10pct_demo-faces.py', finetune),
        ('beauty', DEMO, 'vit-tiny-p8_beauty-linear-10pct_demo-faces.py',
         finetune),
    ]:
        path = tmp_path / f'{var}.py'
        path.write_text(f'_base_ = [{osp.join(folder, name)!r}]\n' + extra)
        configs[var] = str(path)
    return configs


def test_demo_recipe_runs_end_to_end(tmp_path):
    """Every pretraining variant, every fine-tuning and test row; each
    encoder wired into its fine-tuning; each ablation lacks exactly its
    level's losses."""
    from fbp_mm.generators import generate_demo_faces
    faces = str(tmp_path / 'faces')
    generate_demo_faces(faces, num_labeled=40, num_unlabeled=64, size=128,
                        seed=0)
    root = str(tmp_path / 'recipe')
    args = [RECIPE, '--work-root', root, '--cfg-options',
            f'vars.data_root={faces}', 'vars.all_labels=False'] + [
                f'vars.{k}={v}' for k, v in shrunk_configs(tmp_path).items()]
    proc = run_tool(python_tool('run_recipe.py', *args), timeout=600)

    with open(osp.join(root, 'results.json')) as f:
        rows = {r['name']: r for r in json.load(f)['rows']}
    inits = ('random init', 'plain MAE init',
             'Face-prior init (pixel + patch + component)',
             'Face-prior without the pixel level',
             'Face-prior without the patch level',
             'Face-prior without the component level')
    assert list(rows) == [f'{task}, 10%, {init}' for task in
                          ('attributes', 'beauty') for init in inits]
    for name, row in rows.items():
        assert f'| {name} |' in proc.stdout
        if name.startswith('attributes'):
            assert 0 <= row['mean_accuracy'] <= 100
        else:
            assert -1 <= row['plcc'] <= 1 and row['mae'] > 0

    def record(stage):
        with open(osp.join(root, stage, 'stage.json')) as f:
            return json.load(f)['spec']

    for task in ('attr', 'beauty'):
        assert record(f'{task}_random')['cfg_options'][
            'model.backbone.init_cfg'] is None
        for init in ('mae', 'fp', 'fp_no_pixel', 'fp_no_patch',
                     'fp_no_component'):
            spec = record(f'{task}_{init}')
            assert spec['cfg_options']['model.backbone.init_cfg'][
                'prefix'] == 'backbone.'
            assert spec['inputs']['model.backbone.init_cfg.checkpoint'] \
                .startswith(osp.join(root, f'{init}_pretrain'))

    # linear probes: the encoder left the probe as it came from pretraining
    import torch

    def weights(stage):
        path = glob.glob(osp.join(root, stage, '*.pth'))
        state = torch.load(sorted(path)[-1], map_location='cpu',
                           weights_only=False)['state_dict']
        return {k: v for k, v in state.items() if k.startswith('backbone.')}

    pretrained, probed = weights('fp_pretrain'), weights('attr_fp')
    # (only the probe's norm of the averaged tokens is new, and frozen)
    assert set(probed) - set(pretrained) == {'backbone.ln2.weight',
                                             'backbone.ln2.bias'}
    shared = set(probed) & set(pretrained)
    assert len(shared) > 10
    for key in shared:
        assert torch.equal(probed[key], pretrained[key]), key

    levels = {
        'fp': {'loss_pixel', 'loss_part', 'loss_heatmap',
               'loss_component_cls', 'loss_component_match'},
        'fp_no_pixel': {'loss_part', 'loss_heatmap', 'loss_component_cls',
                        'loss_component_match'},
        'fp_no_patch': {'loss_pixel', 'loss_component_cls',
                        'loss_component_match'},
        'fp_no_component': {'loss_pixel', 'loss_part', 'loss_heatmap'},
        'mae': {'loss'},
    }
    every = set().union(*levels.values()) - {'loss'}
    for init, expected in levels.items():
        log = open(osp.join(root, f'{init}_pretrain', 'stage.log')).read()
        found = {name for name in every if f' {name}: ' in log}
        assert found == expected - {'loss'}, (init, found)
