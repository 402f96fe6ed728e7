"""Parameter count, FLOPs and throughput of a model."""
import copy
import logging
import time
from typing import Dict, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import MMLogger

from .config_loading import load_config


def build_model_for_analysis(config: Union[str, Config],
                             cfg_options: Optional[dict] = None,
                             checkpoint: Optional[str] = None) -> nn.Module:
    """Build a config's model for counting, timing or export.

    Uses :func:`fbp_mm.apis.build_model_from_config`; a distiller's
    ``teacher_ckpt`` is not read, since only the student is used and the
    teacher's checkpoint may not exist yet (a distiller ``checkpoint``
    holds the teacher's weights anyway).

    Args:
        config (str | Config): Config file or loaded config.
        cfg_options (dict, optional): Overrides, as ``--cfg-options``.
        checkpoint (str, optional): Weights to load. Defaults to None
            (untrained).

    Returns:
        nn.Module: The model in eval mode, on the CPU.
    """
    from fbp_mm.apis import build_model_from_config

    cfg = load_config(config) if isinstance(config, str) else \
        copy.deepcopy(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if 'teacher' in cfg.model:
        cfg.model.teacher_ckpt = None
        cfg.model.teacher_ckpt_optional = True
    return build_model_from_config(cfg, checkpoint)


def deployed_module(model: nn.Module) -> nn.Module:
    """The network that runs at inference (the student of a distiller;
    ProS's ``student`` is a method, not a network)."""
    student = getattr(model, 'student', None)
    return student if isinstance(student, nn.Module) else model


def count_parameters(model: nn.Module) -> int:
    """Number of parameters of the deployed network.

    Args:
        model (nn.Module): A model; for a distiller, only its student counts.

    Returns:
        int: The parameter count.
    """
    return sum(p.numel() for p in deployed_module(model).parameters())


def count_flops(model: nn.Module, input_size: Tuple[int, int]) -> int:
    """FLOPs of one image's forward pass, by MMEngine's analysis.

    MMEngine counts one fused multiply-add as one FLOP, as papers that
    quote "GFLOPs" for networks usually do.

    Args:
        model (nn.Module): A model taking ``(N, 3, H, W)`` tensors through
            ``forward(inputs, mode='tensor')`` (MMPretrain models) or
            ``forward(inputs)``; a distiller counts its student.
        input_size (tuple[int, int]): ``(H, W)`` of the input.

    Returns:
        int: FLOPs for a batch of one.

    Example:
        >>> # count_flops(model, (352, 352)) / 1e9  -> GFLOPs
    """
    from mmengine.analysis import FlopAnalyzer

    net = deployed_module(model)
    was_training = net.training
    net.eval()
    device = next(net.parameters()).device
    inputs = torch.zeros(1, 3, *input_size, device=device)
    logger = MMLogger.get_current_instance()
    level = logger.level
    # The analyzer warns about every op it does not count (norms, pooling,
    # element-wise adds); those are negligible next to convs and matmuls.
    logger.setLevel(logging.ERROR)
    try:
        analyzer = FlopAnalyzer(net, inputs)
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        flops = analyzer.total()
    finally:
        logger.setLevel(level)
        net.train(was_training)
    return int(flops)


@torch.no_grad()
def measure_throughput(model: nn.Module,
                       input_size: Tuple[int, int],
                       batch_size: int = 32,
                       warmup: int = 2,
                       iters: int = 5) -> float:
    """Images per second of the deployed network's forward pass.

    Args:
        model (nn.Module): The model (a distiller's student is measured).
        input_size (tuple[int, int]): ``(H, W)`` of the input.
        batch_size (int): Images per forward. Defaults to 32.
        warmup (int): Untimed forwards first. Defaults to 2.
        iters (int): Timed forwards. Defaults to 5.

    Returns:
        float: Images per second on the model's device.
    """
    net = deployed_module(model)
    was_training = net.training
    net.eval()
    device = next(net.parameters()).device
    inputs = torch.randn(batch_size, 3, *input_size, device=device)
    for _ in range(warmup):
        net(inputs)
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    for _ in range(iters):
        net(inputs)
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    elapsed = time.perf_counter() - start
    net.train(was_training)
    return batch_size * iters / elapsed


def complexity_summary(model: nn.Module,
                       input_size: Tuple[int, int]) -> Dict[str, float]:
    """``params_m`` (millions) and ``gflops`` of the deployed network."""
    return dict(
        params_m=count_parameters(model) / 1e6,
        gflops=count_flops(model, input_size) / 1e9)
