"""Evaluate a checkpoint and print the metrics table.

Usage:
    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--out-item {metrics,pred}] [--show-dir DIR] [--tta]
        [--allow-partial-load] [--cfg-options key=value ...]
        [--launcher {none,pytorch,slurm,mpi}]

``--out preds.pkl`` saves every test sample (``pred_score``, ``gt_score``,
``img_path``...) with MMEngine's ``DumpResults``; ``--out-item metrics``
saves the metric dict instead (JSON or pickle by extension).

A checkpoint whose keys or shapes do not match the model of the config is an
error naming the keys and the file (a ``module.`` prefix of DDP is fine);
``--allow-partial-load`` loads the weights that fit and warns about the rest.
"""
import argparse
import logging
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import mmengine  # noqa: E402
from mmengine.config import Config, ConfigDict, DictAction  # noqa: E402
from mmengine.logging import print_log  # noqa: E402

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.engine import (FbpRunner,  # noqa: E402
                           trusted_checkpoint_loading)
from fbp_mm.models.distillers import TeacherCheckpointError  # noqa: E402
from fbp_mm.utils import (  # noqa: E402
    build_runner, check_data_roots, check_hook_args, check_out_file,
    disable_persistent_workers_without_workers, finish_distributed,
    format_metrics_table, freeze_objects_at_exit, load_config, set_work_dir,
    warn_unknown_cfg_options)
from fbp_mm.visualization import (  # noqa: E402
    load_prediction_file, plot_predictions)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='folder for the evaluation logs')
    parser.add_argument(
        '--out', help='file to save predictions (or metrics, see '
        '--out-item) to')
    parser.add_argument(
        '--out-item',
        choices=['metrics', 'pred'],
        help="what --out saves: 'pred' (default) or 'metrics'")
    parser.add_argument(
        '--show-dir',
        help='save images with predicted (and true) scores drawn on them '
        'into this folder (relative to the work dir)')
    parser.add_argument(
        '--plot-dir',
        help='write the predicted-vs-true scatter, error histogram and '
        'error per score bin (PNGs) into this folder')
    parser.add_argument(
        '--show', action='store_true', help='show drawn images in a window')
    parser.add_argument(
        '--interval', type=int, default=1, help='draw every N-th image')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='seconds per shown image')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='turn off pin_memory of the dataloader')
    parser.add_argument(
        '--tta',
        action='store_true',
        help='test-time augmentation from `tta_model` and `tta_pipeline` of '
        'the config')
    parser.add_argument(
        '--allow-partial-load',
        action='store_true',
        help='load a checkpoint that does not fit the model (missing, '
        'unexpected or reshaped keys): the weights that fit are loaded and '
        'the others are listed in a warning. Without it that is an error')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, e.g. test_dataloader.batch_size=64')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config."""
    cfg.launcher = args.launcher
    set_work_dir(cfg, args.work_dir, args.config)
    cfg.load_from = args.checkpoint
    cfg.strict_load = not args.allow_partial_load

    if args.show or args.show_dir:
        hooks = list(cfg.get('custom_hooks', None) or [])
        hooks.append(
            dict(
                type='ScoreVisualizationHook',
                out_dir=args.show_dir,
                show=args.show,
                interval=args.interval,
                wait_time=args.wait_time))
        cfg.custom_hooks = hooks

    if args.no_pin_memory and 'pin_memory' in cfg.test_dataloader:
        cfg.test_dataloader.pin_memory = False

    if args.tta:
        if 'tta_model' not in cfg or 'tta_pipeline' not in cfg:
            raise KeyError('--tta needs `tta_model` and `tta_pipeline` in '
                           'the config.')
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline
        cfg.tta_model.module = cfg.model
        cfg.model = cfg.tta_model

    out_item = args.out_item or 'pred'
    dumps = []
    if args.out and out_item == 'pred':
        dumps.append(args.out)
    if args.plot_dir and not dumps:  # the plots read the predictions
        dumps.append(plot_predictions_file(args))
    if dumps:
        evaluators = cfg.test_evaluator
        if isinstance(evaluators, (dict, ConfigDict)):
            evaluators = [evaluators]
        cfg.test_evaluator = list(evaluators) + [
            dict(type='DumpResults', out_file_path=dumps[0])
        ]

    if args.cfg_options is not None:
        warn_unknown_cfg_options(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    disable_persistent_workers_without_workers(cfg)
    return cfg


def plot_predictions_file(args: argparse.Namespace) -> str:
    """The predictions file that ``--plot-dir`` reads."""
    if args.out and (args.out_item or 'pred') == 'pred':
        return args.out
    return osp.join(args.plot_dir, 'predictions.pkl')


def main() -> None:
    args = parse_args()
    if args.out_item is not None and args.out is None:
        raise ValueError('--out-item needs --out.')
    cfg = load_config(args.config)
    cfg = merge_args(cfg, args)
    if args.out:
        try:  # before any work: a message, no traceback
            check_out_file(args.out, args.out_item or 'pred')
        except ValueError as err:
            sys.exit(f'error: {err}')
    try:  # a misspelt hook argument: named before any work
        check_hook_args(cfg)
    except ValueError as err:
        sys.exit(f'error: {err}')
    try:
        runner = build_runner(cfg, args.launcher)
    except TeacherCheckpointError as err:  # say how to get it, no traceback
        sys.exit(f'error: {err}')
    try:  # datasets are built lazily: still before any work
        check_data_roots(cfg, ('test_dataloader', ))
    except FileNotFoundError as err:
        sys.exit(f'error: {err}')
    if not isinstance(runner, FbpRunner):
        print_log(
            f'runner_type {cfg.runner_type!r} is not FbpRunner: the keys of '
            f'{args.checkpoint} are not checked against the model.',
            logger='current',
            level=logging.WARNING)
    with trusted_checkpoint_loading():
        metrics = runner.test()
    if runner.rank == 0:
        print(format_metrics_table(metrics, title=osp.basename(args.config)))
        if args.out and args.out_item == 'metrics':
            mmengine.dump(metrics, args.out)
        if args.plot_dir:
            pred, true = load_prediction_file(plot_predictions_file(args))
            for path in plot_predictions(
                    pred, true, args.plot_dir,
                    title=osp.splitext(osp.basename(args.config))[0]).values():
                print(f'plot: {path}')
    finish_distributed()


if __name__ == '__main__':
    freeze_objects_at_exit()
    main()
