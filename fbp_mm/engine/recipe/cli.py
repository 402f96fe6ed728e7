"""Command line of the recipe runner (``tools/run_recipe.py``)."""
import argparse
import sys
from typing import Optional, Sequence

from mmengine.config import DictAction


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Arguments of ``tools/run_recipe.py``."""
    parser = argparse.ArgumentParser(
        description='Run the stages of a recipe config (skips what is up to '
        'date, resumes what was interrupted) and print its table')
    parser.add_argument('recipe', help='recipe config file')
    parser.add_argument(
        '--work-root', help='folder of the stage folders (default: the '
        "recipe's work_root)")
    parser.add_argument(
        '--stages', nargs='+', metavar='NAME', help='run only these stages')
    parser.add_argument(
        '--force',
        action='store_true',
        help='run the chosen stages again even if nothing changed')
    parser.add_argument(
        '--seeds',
        nargs='+',
        type=int,
        metavar='SEED',
        help='run the whole recipe once per seed (in WORK_ROOT/seed_<s>) '
        'and report mean ± std over them')
    parser.add_argument(
        '--list', action='store_true', help='list the stages and exit')
    parser.add_argument(
        '--no-table', action='store_true', help='do not print the table')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override recipe entries, e.g. vars.data_root=data/mine '
        '"stages.0.cfg_options.train_cfg.max_epochs=5"')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status."""
    from .runner import RecipeError, RecipeRunner, read_record
    args = parse_args(argv)
    try:
        runner = RecipeRunner(
            args.recipe, work_root=args.work_root,
            cfg_options=args.cfg_options)
        if args.list:
            for spec in runner.specs:
                record = read_record(runner.stage_dir(spec['name']))
                status = record['status'] if record else 'not run'
                print(f'{spec["name"]:<24} {spec["type"]:<16} {status}')
            return 0
        if args.seeds:
            runner.run_seeds(args.seeds, only=args.stages, force=args.force)
        else:
            runner.run(only=args.stages, force=args.force,
                       table=not args.no_table)
    except RecipeError as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    except KeyboardInterrupt as err:
        print(f'interrupted: {err}', file=sys.stderr)
        return 130
    return 0
