"""Launch helpers shared by ``tools/train.py`` and ``tools/test.py``."""
import logging
import os
import os.path as osp
import sys
from typing import Optional

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ..engine.checkpoint_loading import trusted_checkpoint_loading
from ..engine.fbp_runner import FbpRunner

# Set when this process started a gloo group for CPU-only distribution.
_CPU_GROUP_STARTED = False


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Let MMEngine run distributed on machines without a GPU.

    MMEngine's ``init_dist`` always calls ``torch.cuda.set_device`` and its
    default DDP wrapper passes ``device_ids=[local_rank]``; both fail on a
    CPU-only machine. When ``launcher`` is not ``'none'`` and CUDA is not
    available, this starts the process group with the ``gloo`` backend from
    the launcher's environment (``torchrun`` sets ``RANK``, ``WORLD_SIZE``,
    ``MASTER_ADDR``, ``MASTER_PORT``) and sets ``device_ids=None`` for the
    DDP wrapper. MMEngine (``Runner``, or a ``FlexibleRunner``'s strategy)
    then sees an initialised group and uses it. Fully sharded training
    (``FlexibleRunner`` with :class:`~fbp_mm.engine.FbpFSDPStrategy`) runs
    on the CPU this way too. On GPU machines nothing changes.

    Args:
        cfg (Config): The config, edited in place.
        launcher (str): ``'none'``, ``'pytorch'``, ``'slurm'`` or ``'mpi'``.

    Returns:
        bool: Whether a CPU process group was started.

    Example:
        >>> # in a tool, after parsing args and before Runner.from_cfg(cfg)
        >>> # setup_cpu_distributed(cfg, args.launcher)
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher != 'pytorch':
        raise RuntimeError(
            f'Distributed launcher {launcher!r} without a GPU is not '
            "supported; use --launcher pytorch (torchrun) on CPU.")
    global _CPU_GROUP_STARTED
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
        _CPU_GROUP_STARTED = True
    if cfg.get('strategy') is None:  # Runner: its model wrapper
        wrapper = dict(cfg.get('model_wrapper_cfg') or {})
        wrapper.setdefault('type', 'MMDistributedDataParallel')
        if 'DistributedDataParallel' in str(wrapper['type']):
            wrapper['device_ids'] = None  # DDP on the CPU
        cfg.model_wrapper_cfg = wrapper
    # a FlexibleRunner's strategy finds the group started; FbpFSDPStrategy
    # puts its FSDP units on the CPU itself
    print_log(
        f'No GPU: rank {os.environ.get("RANK")} of '
        f'{os.environ.get("WORLD_SIZE")} joined a gloo process group.',
        logger='current')
    return True


def disable_persistent_workers_without_workers(cfg: Config) -> None:
    """Turn off ``persistent_workers`` of dataloaders with no workers.

    PyTorch refuses ``persistent_workers=True`` with ``num_workers=0``; a
    user who sets ``--cfg-options train_dataloader.num_workers=0`` should
    not have to also change the inherited flag.

    Args:
        cfg (Config): The config, edited in place.
    """
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if loader and loader.get('num_workers', 0) == 0 and loader.get(
                'persistent_workers', False):
            loader['persistent_workers'] = False


def disable_pin_memory_without_gpu(cfg: Config) -> None:
    """Turn off ``pin_memory`` of the dataloaders on a machine without
    CUDA (the base configs pin memory for GPU training; on the CPU it only
    makes PyTorch warn).

    Args:
        cfg (Config): The config, edited in place.
    """
    if torch.cuda.is_available():
        return
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(name)
        if loader and loader.get('pin_memory', False):
            loader['pin_memory'] = False


def finish_distributed() -> None:
    """Leave the process group cleanly at the end of a tool.

    All ranks meet at a barrier, then the group is destroyed. A CPU (gloo)
    group started by :func:`setup_cpu_distributed` can still abort at
    interpreter exit ("terminate called without an active exception", seen
    in about one run of three) although every rank finished its work, so
    such a process then flushes its logs and exits at once with status 0
    instead of tearing the interpreter down. Does nothing when not
    distributed.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    torch_dist.barrier()
    torch_dist.destroy_process_group()
    if _CPU_GROUP_STARTED:
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def set_work_dir(cfg: Config, work_dir: Optional[str],
                 config_path: str) -> None:
    """Pick the work dir like MMPretrain's tools.

    ``--work-dir`` wins, then ``work_dir`` of the config, then
    ``./work_dirs/<config file name>``.

    Args:
        cfg (Config): The config, edited in place.
        work_dir (str, optional): The ``--work-dir`` argument.
        config_path (str): The config file.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_path))[0])


def build_runner(cfg: Config, launcher: str) -> Runner:
    """Build the runner of a tool, distributed on CPU where needed.

    Checkpoints that the model reads while it is built (a distiller's
    ``teacher_ckpt``) are read as trusted files
    (:func:`~fbp_mm.engine.trusted_checkpoint_loading`); the runner's own
    loading is trusted when it is an :class:`~fbp_mm.engine.FbpRunner`,
    and tools enter the same context around ``train()`` / ``test()`` for
    other runner types.

    Args:
        cfg (Config): The final config.
        launcher (str): The ``--launcher`` argument.

    Returns:
        Runner: ``RUNNERS.build(cfg)`` when the config names a
        ``runner_type``, else :class:`~fbp_mm.engine.FbpRunner`.

    Example:
        >>> # in a tool, with the final config
        >>> # runner = build_runner(cfg, args.launcher)
        >>> # with trusted_checkpoint_loading():
        >>> #     runner.train()
    """
    setup_cpu_distributed(cfg, launcher)
    disable_pin_memory_without_gpu(cfg)
    with trusted_checkpoint_loading():
        if 'runner_type' in cfg:
            return RUNNERS.build(cfg)
        return FbpRunner.from_cfg(cfg)
