"""tools/few_shot.py: any config fine-tuned on seeded label budgets."""
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config
from tool_runner import REPO_ROOT, python_tool, run_tool

CNN = osp.join(REPO_ROOT, 'configs', 'fbp',
               'resnet18-w16_1xb32-20e_demo-faces.py')
FEW_SHOT_CONFIG = osp.join(
    REPO_ROOT, 'configs', 'face_prior', 'demo',
    'vit-tiny-p8_beauty-fewshot-10pct_demo-faces.py')


def cnn_options(data_root, epochs=6):
    """--cfg-options pointing the demo CNN at the test faces, short."""
    options = [f'{loader}.{key}' for loader in
               ('train_dataloader', 'val_dataloader', 'test_dataloader')
               for key in (f'dataset.data_root={data_root}', 'num_workers=0',
                           'persistent_workers=False')]
    return options + [f'train_cfg.max_epochs={epochs}',
                      'train_cfg.val_interval=2',
                      'default_hooks.checkpoint.interval=2']


# On these faces (500 labeled, 270 of them training), 6 epochs, PLCC on
# the test split, seeds 0 / 1 / 2 / 3 (2 threads): 5% of the labels 0.112 /
# 0.114 / -0.084 / -0.040, all of them 0.542 / 0.552 / 0.608 / 0.564.
FULL_LEAD = 0.25


def test_budgets_train_per_seed_and_more_labels_learn_more(
        demo_faces, tmp_path):
    work = str(tmp_path / 'few')
    args = [CNN, '--fraction', '0.05', '1', '--seeds', '0', '1',
            '--work-root', work, '--cfg-options'] + cnn_options(demo_faces)
    proc = run_tool(python_tool('few_shot.py', *args), timeout=600)
    assert '| 5% of the training labels | ' in proc.stdout
    with open(osp.join(work, 'results_seeds.json')) as f:
        rows = {r['name']: r for r in json.load(f)['rows']}
    few = rows['5% of the training labels']
    full = rows['100% of the training labels']
    assert full['plcc_mean'] >= few['plcc_mean'] + FULL_LEAD, (few, full)
    # each seed's row is that seed's own test, evaluated once
    for i, seed in enumerate((0, 1)):
        with open(osp.join(work, f'seed_{seed}', 'test_5pct',
                           'metrics.json')) as f:
            assert json.load(f)['plcc'] == pytest.approx(
                few['plcc_values'][i])

    # each seed drew its own 5% (14 of the 270 training faces)
    drawn = []
    for seed in (0, 1):
        log, = glob.glob(
            osp.join(work, f'seed_{seed}', 'train_5pct', '*', '*.log'))
        with open(log) as f:
            line, = [x for x in f if 'FewShotDataset:' in x]
        assert f'14 of 270 training images (fraction 0.05, seed {seed})' \
            in line
        from fbp_mm.datasets.few_shot import few_shot_indices
        drawn.append(few_shot_indices(270, fraction=0.05, seed=seed))
    assert drawn[0] != drawn[1]

    # the written config wraps the full training split, data root included
    sized = Config.fromfile(osp.join(work, 'configs', '5pct.py'))
    dataset = sized.train_dataloader.dataset
    assert dataset.type == 'FewShotDataset' and dataset.fraction == 0.05
    assert dataset.dataset.type == 'SCUTFBP5500'
    assert dataset.dataset.data_root == demo_faces
    assert sized.val_dataloader.dataset.split == 'val'

    # a second run trains nothing
    again = run_tool(python_tool('few_shot.py', *args))
    assert again.stdout.count('up to date, skipped') == 8
    assert 'running' not in again.stdout


def test_a_few_shot_config_is_resized_not_wrapped_twice(tmp_path):
    from fbp_mm.engine.recipe.few_shot import write_few_shot_recipe
    recipe = write_few_shot_recipe(
        FEW_SHOT_CONFIG, [('count', 20), ('fraction', 0.5)], str(tmp_path))
    cfg = Config.fromfile(osp.join(tmp_path, 'configs', '20images.py'))
    dataset = cfg.train_dataloader.dataset
    assert (dataset.type, dataset.count) == ('FewShotDataset', 20)
    assert 'fraction' not in dataset
    assert dataset.dataset.type == 'SCUTFBP5500'
    recipe = Config.fromfile(recipe)
    assert [s['name'] for s in recipe.stages] == [
        'train_20images', 'train_50pct', 'test_20images', 'test_50pct']
    assert recipe.stages[2]['checkpoint'] == '@train_20images.checkpoint'
    # the table shows the metric the config selects its checkpoint on
    assert [c[0] for c in recipe.table.columns] == ['plcc', 'params_m']
    assert [r['name'] for r in recipe.table.rows] == [
        '20 training images', '50% of the training labels']


def test_bad_requests_are_refused_with_the_reason(tmp_path):
    from fbp_mm.engine.recipe.few_shot import write_few_shot_recipe
    with pytest.raises(ValueError, match='at least one label budget'):
        write_few_shot_recipe(CNN, [], str(tmp_path))
    with pytest.raises(ValueError, match="'10 per class' is given twice"):
        write_few_shot_recipe(CNN, [('shots', 10), ('shots', 10)],
                              str(tmp_path))
    no_best = tmp_path / 'no_best.py'
    no_best.write_text(f'_base_ = [{CNN!r}]\n'
                       "default_hooks = dict(checkpoint=dict("
                       "save_best='auto'))\n")
    with pytest.raises(ValueError, match='name the table.s metrics with '
                       '--metrics'):
        write_few_shot_recipe(str(no_best), [('fraction', 0.1)],
                              str(tmp_path))
    proc = run_tool(python_tool('few_shot.py', CNN, '--work-root',
                                str(tmp_path / 'w')), check=False)
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    assert 'error: Give at least one label budget (--shots, --fraction or ' \
        '--count).' in proc.stderr
