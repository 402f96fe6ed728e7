"""Efficient-FIQA's self-training round in one command.

teacher on the labeled set L -> pseudo-labels for U1 -> teacher+ on
L + U1 -> pseudo-labels for U2 -> tiny student on L + U1 + U2, each model
tested once on the test split, then the table. This is
``tools/run_recipe.py`` on ``configs/fiqa/recipes/efficient_fiqa.py``
(``--demo``: ``efficient_fiqa_demo.py``) with ``--data-root`` as
``vars.data_root``; every other flag is the recipe runner's (finished
stages are skipped, an interrupted one resumes).

Examples:
    python tools/self_train.py --data-root data/fiqa
    python tools/self_train.py --demo --data-root data/fiqa_demo \\
        --seeds 0 1 2 --cfg-options vars.online_kd_unlabeled=True
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402

RECIPES = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', 'fiqa',
    'recipes')


def recipe_argv(argv=None) -> list:
    """The ``tools/run_recipe.py`` arguments of a command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        list[str]: The recipe, then the runner's own flags.
    """
    parser = argparse.ArgumentParser(
        description="Efficient-FIQA's self-training round (teacher, "
        'pseudo-labels, teacher+, student) as one recipe run; other flags '
        'go to tools/run_recipe.py',
        epilog='recipe runner flags: --work-root DIR, --stages NAME ..., '
        '--force, --seeds S ..., --list, --no-table, --cfg-options ...')
    parser.add_argument('--data-root', required=True,
                        help='images/, train.csv, val.csv, test.csv, '
                        'unlabeled_1.txt, unlabeled_2.txt')
    parser.add_argument('--demo', action='store_true',
                        help='the demo recipe (tiny ResNet teacher, 64 px)')
    parser.add_argument('--recipe', help='another recipe file (default: '
                        'efficient_fiqa.py, or efficient_fiqa_demo.py with '
                        '--demo)')
    args, rest = parser.parse_known_args(argv)
    recipe = args.recipe or osp.join(
        RECIPES, 'efficient_fiqa_demo.py' if args.demo
        else 'efficient_fiqa.py')
    data_root = f'vars.data_root={args.data_root}'
    if '--cfg-options' in rest:
        at = rest.index('--cfg-options') + 1
        rest = rest[:at] + [data_root] + rest[at:]
    else:
        rest = rest + ['--cfg-options', data_root]
    return [recipe] + rest


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    from fbp_mm.engine.recipe.cli import main as run_recipe
    return run_recipe(recipe_argv(argv))


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
