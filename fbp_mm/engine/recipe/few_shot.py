"""Few-shot fine-tuning of any config as a recipe (``tools/few_shot.py``).

:func:`write_few_shot_recipe` takes a fine-tuning config and one or more
label budgets (``shots`` per class, a ``fraction`` or a ``count`` of the
training split) and writes, under a work root, one config per budget (the
config with its training dataset wrapped in
:class:`~fbp_mm.datasets.FewShotDataset`) and a recipe that trains each
(checkpoint chosen on the validation split), tests each once on the test
split and tabulates them. :class:`~fbp_mm.engine.recipe.RecipeRunner`
runs it: with several seeds each seed draws its own subsets and the table
gives mean ± std; finished stages are skipped and interrupted ones resume,
as for every recipe.
"""
import copy
import os.path as osp
from typing import List, Optional, Sequence, Tuple

from mmengine.config import Config

from ...utils.config_loading import load_config

#: The label budgets FewShotDataset understands.
BUDGET_KINDS = ('shots', 'fraction', 'count')


def budget_tag(kind: str, value) -> Tuple[str, str]:
    """A stage-name tag and a row title for one label budget.

    Args:
        kind (str): ``'shots'``, ``'fraction'`` or ``'count'``.
        value (int | float): Its value.

    Returns:
        tuple[str, str]: E.g. ``('10pct', '10% of the training labels')``.

    Example:
        >>> budget_tag('fraction', 0.005)
        ('0_5pct', '0.5% of the training labels')
        >>> budget_tag('shots', 10)
        ('10shot', '10 per class')
    """
    if kind == 'shots':
        return f'{int(value)}shot', f'{int(value)} per class'
    if kind == 'count':
        return f'{int(value)}images', f'{int(value)} training images'
    if kind == 'fraction':
        percent = f'{float(value) * 100:g}'
        return (f'{percent.replace(".", "_")}pct',
                f'{percent}% of the training labels')
    raise ValueError(f'Unknown label budget {kind!r}; use one of '
                     f'{BUDGET_KINDS}.')


def selection_metric(cfg: Config) -> Optional[str]:
    """The metric a config selects its checkpoint on, if it names one.

    Args:
        cfg (Config): A training config.

    Returns:
        str | None: ``default_hooks.checkpoint.save_best`` when it is one
        metric name (not ``'auto'``), else None.
    """
    hook = (cfg.get('default_hooks') or {}).get('checkpoint') or {}
    best = hook.get('save_best')
    if isinstance(best, (list, tuple)):
        best = best[0] if len(best) == 1 else None
    return None if best in (None, 'auto') else best


def _training_dataset(cfg: Config, config: str) -> dict:
    """The config's training dataset, unwrapped from a FewShotDataset."""
    loader = cfg.get('train_dataloader')
    if not loader or not loader.get('dataset'):
        raise ValueError(f'{config} has no train_dataloader.dataset to draw '
                         'a few-shot subset from.')
    dataset = copy.deepcopy(loader['dataset'])
    if dataset.get('type') == 'FewShotDataset':
        dataset = dataset['dataset']  # re-sized: the full training split
    return dataset


def write_few_shot_recipe(config: str,
                          budgets: Sequence[Tuple[str, float]],
                          work_root: str,
                          cfg_options: Optional[dict] = None,
                          metrics: Optional[Sequence[str]] = None) -> str:
    """Write the per-budget configs and the recipe that runs them.

    Args:
        config (str): A fine-tuning config (its ``val_dataloader`` selects
            the checkpoint, its ``test_dataloader`` is evaluated once).
        budgets (Sequence[tuple[str, float]]): ``(kind, value)`` pairs,
            e.g. ``[('fraction', 0.01), ('fraction', 0.1)]``.
        work_root (str): Folder of the configs, the recipe and the stages.
        cfg_options (dict, optional): Overrides of the config, applied
            before the training set is wrapped (so
            ``train_dataloader.dataset.data_root`` names the full set).
        metrics (Sequence[str], optional): Metric keys of the table.
            Defaults to the config's ``save_best`` metric.

    Returns:
        str: Path of the recipe (``<work_root>/few_shot_recipe.py``).

    Raises:
        ValueError: Without budgets, with an unknown budget kind, without
            a training dataset, or without metrics to tabulate.

    Example:
        >>> # recipe = write_few_shot_recipe(
        >>> #     'configs/pros/vit-small-p16_ft-1xb64-30e_rafdb_10shot.py',
        >>> #     [('shots', 1), ('shots', 10)], 'work_dirs/rafdb_few')
        >>> # RecipeRunner(recipe).run_seeds([0, 1, 2])
    """
    if not budgets:
        raise ValueError('Give at least one label budget (--shots, '
                         '--fraction or --count).')
    cfg = load_config(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    dataset = _training_dataset(cfg, config)
    if not metrics:
        best = selection_metric(cfg)
        if best is None:
            raise ValueError(
                f'{config} selects no single checkpoint metric '
                '(default_hooks.checkpoint.save_best); name the table\'s '
                'metrics with --metrics, e.g. --metrics accuracy/top1.')
        metrics = [best]
    configs = osp.join(osp.abspath(work_root), 'configs')
    stages: List[dict] = []
    rows: List[dict] = []
    seen = set()
    for kind, value in budgets:
        tag, title = budget_tag(kind, value)
        if tag in seen:
            raise ValueError(f'The label budget {title!r} is given twice.')
        seen.add(tag)
        sized = copy.deepcopy(cfg)
        sized.train_dataloader.dataset = {
            'type': 'FewShotDataset', kind: value, 'dataset': dataset}
        path = osp.join(configs, f'{tag}.py')
        _dump(sized, path)
        stages.append(dict(name=f'train_{tag}', type='train', config=path))
        rows.append(dict(name=title, stage=f'test_{tag}'))
    for row in rows:
        tag = row['stage'][len('test_'):]
        stages.append(dict(
            name=row['stage'], type='test',
            config=osp.join(configs, f'{tag}.py'),
            checkpoint=f'@train_{tag}.checkpoint'))
    recipe = Config(dict(
        work_root=osp.abspath(work_root),
        stages=stages,
        table=dict(
            title=f'Few-shot fine-tuning of {osp.basename(config)}',
            rows=rows,
            columns=[(m, m, '.4f') for m in metrics] +
            [('params_m', 'params (M)', '.3f')])))
    path = osp.join(osp.abspath(work_root), 'few_shot_recipe.py')
    _dump(recipe, path)
    return path


def _dump(cfg: Config, path: str) -> None:
    """Write ``cfg`` to ``path``, leaving an identical file untouched (its
    time stamp is left too, so nothing looks changed on a second run)."""
    import os
    import tempfile
    os.makedirs(osp.dirname(path), exist_ok=True)
    with tempfile.NamedTemporaryFile(
            'w', suffix='.py', dir=osp.dirname(path), delete=False) as f:
        tmp = f.name
    cfg.dump(tmp)
    with open(tmp) as f:
        text = f.read()
    if osp.isfile(path):
        with open(path) as f:
            if f.read() == text:
                os.remove(tmp)
                return
    os.replace(tmp, path)
