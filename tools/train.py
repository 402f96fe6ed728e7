"""Train a model from an fbp_mm / MMPretrain config.

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
        [--no-validate] [--auto-scale-lr] [--cfg-options key=value ...]
        [--launcher {none,pytorch,slurm,mpi}]

Multi-GPU: ``tools/dist_train.sh CONFIG GPUS``; on CPU-only machines
``torchrun --nproc-per-node N tools/train.py CONFIG --launcher pytorch``
uses the gloo backend.

Checkpoints (``--resume``, ``load_from``, ``init_cfg=dict(type='Pretrained')``,
a distiller's ``teacher_ckpt``) are trusted files: they are read weights-only
where they can be, else in full with a warning
(:mod:`fbp_mm.engine.checkpoint_loading`).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.engine import trusted_checkpoint_loading  # noqa: E402
from fbp_mm.models.distillers import TeacherCheckpointError  # noqa: E402
from fbp_mm.utils import (  # noqa: E402
    build_runner, check_data_roots, check_hook_args,
    disable_persistent_workers_without_workers, finish_distributed,
    freeze_objects_at_exit, load_config, set_work_dir,
    warn_unknown_cfg_options)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='training config file')
    parser.add_argument(
        '--work-dir', help='folder for logs and checkpoints (default: '
        'work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint; without a value, from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true', help='mixed-precision training')
    parser.add_argument(
        '--no-validate',
        action='store_true',
        help='do not evaluate during training')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the real total batch size over '
        '`auto_scale_lr.base_batch_size`')
    parser.add_argument(
        '--no-pin-memory',
        action='store_true',
        help='turn off pin_memory of the dataloaders')
    parser.add_argument(
        '--no-persistent-workers',
        action='store_true',
        help='turn off persistent_workers of the dataloaders')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, e.g. '
        'train_dataloader.batch_size=16 "model.head.loss.loss_weight=2"')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (or --local_rank)
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command-line options to the config."""
    if args.no_validate:
        cfg.val_cfg = None
        cfg.val_dataloader = None
        cfg.val_evaluator = None

    cfg.launcher = args.launcher

    set_work_dir(cfg, args.work_dir, args.config)

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(
                f'--amp works with OptimWrapper, not {optim_wrapper}.')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg:
            raise KeyError('--auto-scale-lr needs `auto_scale_lr = dict('
                           'base_batch_size=...)` in the config.')
        cfg.auto_scale_lr.enable = True

    def set_loader_flag(key: str, value) -> None:
        for name in ('train_dataloader', 'val_dataloader',
                     'test_dataloader'):
            loader = cfg.get(name)
            if loader is not None and key in loader:
                loader[key] = value

    if args.no_pin_memory:
        set_loader_flag('pin_memory', False)
    if args.no_persistent_workers:
        set_loader_flag('persistent_workers', False)

    if args.cfg_options is not None:
        warn_unknown_cfg_options(cfg, args.cfg_options)
        cfg.merge_from_dict(args.cfg_options)
    disable_persistent_workers_without_workers(cfg)
    return cfg


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config)
    cfg = merge_args(cfg, args)
    try:  # a misspelt hook argument: named before any work
        check_hook_args(cfg)
    except ValueError as err:
        sys.exit(f'error: {err}')
    try:
        runner = build_runner(cfg, args.launcher)
    except TeacherCheckpointError as err:  # say how to get it, no traceback
        sys.exit(f'error: {err}')
    try:  # datasets are built lazily: still before any work
        check_data_roots(cfg, ('train_dataloader', 'val_dataloader'))
    except FileNotFoundError as err:  # where it looked, how to get it
        sys.exit(f'error: {err}')
    # --resume, load_from and init_cfg=Pretrained read trusted checkpoints
    with trusted_checkpoint_loading():
        runner.train()
    finish_distributed()


if __name__ == '__main__':
    freeze_objects_at_exit()
    main()
