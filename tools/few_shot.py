"""Fine-tune a config on few labels: seeded subsets, mean ± std over seeds.

Wraps the config's training set in ``FewShotDataset`` once per label
budget (``--shots`` per class, ``--fraction`` or ``--count`` of the
training split; several values give a label-efficiency curve), trains
each with its checkpoint chosen on the validation split, tests each once
on the test split, and prints one row per budget: mean ± sample std over
``--seeds`` (each seed draws its own subsets). The configs and the recipe
it runs are written to WORK_ROOT (``few_shot_recipe.py``, rerun with
``tools/run_recipe.py``); a second run skips what is done, an interrupted
one resumes. See :mod:`fbp_mm.engine.recipe.few_shot`.

Examples:
    python tools/few_shot.py \\
        configs/pros/vit-small-p16_ft-1xb64-30e_rafdb_10shot.py \\
        --shots 1 5 10 --seeds 0 1 2 --work-root work_dirs/rafdb_few
    python tools/few_shot.py \\
        configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py \\
        --fraction 0.05 0.2 1 --seeds 0 1 2
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import DictAction  # noqa: E402

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description='Fine-tune a config on seeded few-shot subsets of its '
        'training split and report mean ± std over seeds')
    parser.add_argument('config', help='fine-tuning config file')
    budget = parser.add_argument_group(
        'label budgets (one or more values of one or more kinds)')
    budget.add_argument('--shots', nargs='+', type=int, default=[],
                        metavar='K', help='images per class (classification)')
    budget.add_argument('--fraction', nargs='+', type=float, default=[],
                        metavar='F', help='share of the training split, '
                        'in (0, 1]')
    budget.add_argument('--count', nargs='+', type=int, default=[],
                        metavar='N', help='number of training images')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2],
                        metavar='SEED', help='one draw and training per seed '
                        '(default: 0 1 2)')
    parser.add_argument('--work-root', help='folder of the configs, stages '
                        'and tables (default: work_dirs/few_shot/<config>)')
    parser.add_argument('--metrics', nargs='+', metavar='KEY',
                        help="the table's metric columns (default: the "
                        "config's save_best metric)")
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries (applied before the training set is '
        'wrapped), e.g. train_dataloader.dataset.data_root=data/mine')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    from fbp_mm.engine.recipe import RecipeError, RecipeRunner
    from fbp_mm.engine.recipe.few_shot import write_few_shot_recipe
    args = parse_args(argv)
    budgets = [('shots', v) for v in args.shots] + \
        [('fraction', v) for v in args.fraction] + \
        [('count', v) for v in args.count]
    name = osp.splitext(osp.basename(args.config))[0]
    work_root = args.work_root or osp.join('work_dirs', 'few_shot', name)
    try:
        recipe = write_few_shot_recipe(
            args.config, budgets, work_root, cfg_options=args.cfg_options,
            metrics=args.metrics)
        print(f'few-shot recipe: {recipe}', flush=True)
        runner = RecipeRunner(recipe)
        if len(set(args.seeds)) > 1:
            runner.run_seeds(args.seeds)
        else:
            runner.seed = args.seeds[0]
            runner.run()
    except (RecipeError, ValueError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        print(f'interrupted: {err}', file=sys.stderr)
        return 130
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
