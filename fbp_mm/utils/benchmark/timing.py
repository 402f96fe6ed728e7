"""Devices, timed steps, memory and FLOPs of the benchmark."""
import copy
import os
import os.path as osp
import platform
import resource
import statistics
import sys
import time
from contextlib import nullcontext
from typing import Callable, Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config

from .models import _TensorForward, _is_selfsup


#: Iterations of the schedule a training step pretends to be in.
_SCHEDULE_ITERS = 1000


def resolve_device(device: Optional[str] = None) -> torch.device:
    """``device``, or CUDA when available, else CPU.

    Args:
        device (str, optional): ``'cpu'``, ``'cuda'`` or ``'cuda:1'``...

    Returns:
        torch.device: The device.

    Raises:
        RuntimeError: CUDA asked for but not available.

    Example:
        >>> resolve_device('cpu')
        device(type='cpu')
    """
    if device is None:
        device = 'cuda' if torch.cuda.is_available() else 'cpu'
    device = torch.device(device)
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError('--device cuda: no CUDA device is available.')
    return device


def device_name(device: torch.device) -> str:
    """A readable name of the device (GPU model, or CPU and its threads)."""
    if device.type == 'cuda':
        return torch.cuda.get_device_name(device)
    name = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    name = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return (f'CPU {name} ({os.cpu_count()} cores, '
            f'{torch.get_num_threads()} torch threads)')


def _synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # kilobytes on Linux, bytes on macOS
    return peak / (1024.0**2 if sys.platform == 'darwin' else 1024.0)


def memory_kind(device: torch.device) -> str:
    """What ``peak_memory_mib`` measures on ``device``."""
    if device.type == 'cuda':
        return 'torch.cuda.max_memory_allocated'
    return 'process peak RSS (getrusage; whole process so far)'


def time_steps(step: Callable[[dict], object], batch: dict,
               device: torch.device, warmup: int = 3,
               steps: int = 10) -> List[float]:
    """Seconds of each timed call of ``step`` after ``warmup`` calls.

    Every call gets a fresh copy of ``batch`` (made outside the timing),
    so a step that changes its inputs does not change the next one. On
    CUDA the device is synchronised before and after each timed step.

    Args:
        step (Callable): Takes the batch.
        batch (dict): The data, already on the device.
        device (torch.device): The device.
        warmup (int): Untimed calls first. Defaults to 3.
        steps (int): Timed calls. Defaults to 10.

    Returns:
        list[float]: The ``steps`` durations in seconds.

    Example:
        >>> net = nn.Linear(8, 8)
        >>> times = time_steps(lambda d: net(d['inputs']),
        ...                    dict(inputs=torch.randn(4, 8)),
        ...                    torch.device('cpu'), warmup=1, steps=3)
        >>> len(times)
        3
    """
    if steps < 1:
        raise ValueError(f'steps must be at least 1, got {steps}')
    for _ in range(max(0, warmup)):
        step(copy.deepcopy(batch))
    times = []
    for _ in range(steps):
        data = copy.deepcopy(batch)
        _synchronize(device)
        start = time.perf_counter()
        step(data)
        _synchronize(device)
        times.append(time.perf_counter() - start)
    return times


def time_interleaved(calls: Dict[str, Tuple[Callable[[dict], object], dict]],
                     device: torch.device,
                     warmup: int = 3,
                     steps: int = 10,
                     block: int = 1,
                     pause: float = 0.0) -> Dict[str, List[float]]:
    """Seconds of each call's timed steps, the calls taking turns.

    Every call is warmed up first; then each timed round runs every call
    in turn (the order rotates between rounds), so a slow spell of a shared
    machine hits all of them alike and their ratio stays meaningful where
    timing one after the other would not. With ``block > 1`` each turn is
    one untimed call and then ``block`` timed ones, so that what one
    runtime leaves behind (ONNX Runtime's threads spin for a while after
    a call) slows the untimed call of the next, not its timed ones. As in
    :func:`time_steps`, each call gets a fresh copy of its batch and CUDA
    is synchronised around each timed call.

    Args:
        calls (dict): Name -> ``(step, batch)``; ``step`` takes the batch.
        device (torch.device): The device.
        warmup (int): Untimed calls of each first. Defaults to 3.
        steps (int): Timed calls of each. Defaults to 10.
        block (int): Timed calls per turn. Defaults to 1.
        pause (float): Seconds to sleep before each turn, so that threads
            a runtime keeps spinning after its calls have gone idle.
            Defaults to 0.

    Returns:
        dict: Name -> its ``steps`` durations in seconds.

    Example:
        >>> net = nn.Linear(8, 8)
        >>> def run(data):
        ...     return net(data['x'])
        >>> times = time_interleaved(
        ...     dict(small=(run, dict(x=torch.randn(1, 8))),
        ...          large=(run, dict(x=torch.randn(64, 8)))),
        ...     torch.device('cpu'), warmup=1, steps=3)
        >>> sorted(times), len(times['small'])
        (['large', 'small'], 3)
    """
    if steps < 1 or block < 1:
        raise ValueError(
            f'steps and block must be at least 1, got {steps} and {block}')
    names = list(calls)
    for name in names:
        step, batch = calls[name]
        for _ in range(max(0, warmup)):
            step(copy.deepcopy(batch))
    times = {name: [] for name in names}
    round_index = 0
    while len(times[names[0]]) < steps:
        shift = round_index % len(names)
        round_index += 1
        for name in names[shift:] + names[:shift]:
            step, batch = calls[name]
            if pause > 0:
                time.sleep(pause)
            if block > 1:
                step(copy.deepcopy(batch))
            for _ in range(min(block, steps - len(times[name]))):
                data = copy.deepcopy(batch)
                _synchronize(device)
                start = time.perf_counter()
                step(data)
                _synchronize(device)
                times[name].append(time.perf_counter() - start)
    return times


def paired_speed_ratio(ours: List[float], theirs: List[float],
                       block: int = 1) -> float:
    """Speed of ``ours`` over ``theirs``, paired round by round.

    :func:`time_interleaved` gives every call ``block`` timed steps per
    round, so the ``r``-th ``block`` steps of two calls ran within one
    round of each other. This is the median over the rounds of each
    round's ratio (their median step time over ours), so that a slow
    spell of a shared machine, which hits both in the same round, cancels
    out instead of moving one call's median more than the other's.

    Args:
        ours (list[float]): Step seconds of one call, as returned by
            :func:`time_interleaved`.
        theirs (list[float]): Step seconds of the call compared with, from
            the same run.
        block (int): The ``block`` of that run. Defaults to 1.

    Returns:
        float: Above 1 when ``ours`` is faster.

    Raises:
        ValueError: The two have different lengths, or none.

    Example:
        >>> # round 1: ours twice as fast; round 2 (slow machine): equal;
        >>> # round 3: ours twice as fast again
        >>> paired_speed_ratio([1, 1, 3, 3, 1, 1], [2, 2, 3, 3, 2, 2],
        ...                    block=2)
        2.0
    """
    if len(ours) != len(theirs) or not ours:
        raise ValueError('paired_speed_ratio needs two equally long, '
                         f'non-empty runs; got {len(ours)} and '
                         f'{len(theirs)} steps')
    block = max(1, block)
    ratios = [
        statistics.median(theirs[i:i + block]) /
        statistics.median(ours[i:i + block])
        for i in range(0, len(ours), block)
    ]
    return float(statistics.median(ratios))


def _gflops(net: nn.Module, size: Tuple[int, int]) -> Tuple[
        Optional[float], Optional[str]]:
    """GFLOPs of one image (MMEngine's count), or None and the reason."""
    from ..complexity import count_flops
    try:
        return count_flops(_TensorForward(net), size) / 1e9, None
    except Exception as error:  # noqa: BLE001 (reported as n/a)
        return None, f'{type(error).__name__}: {error}'.splitlines()[0]


def _autocast(device: torch.device, amp: bool):
    if not amp:
        return nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)


def _amp_notes(device: torch.device) -> List[str]:
    if device.type == 'cpu':
        check = getattr(torch.cpu, '_is_avx512_bf16_supported', None)
        if check is not None and not check():
            return ['--amp: this CPU has no native bf16 (AVX512-BF16); '
                    'bf16 autocast may be slower than fp32']
    elif not torch.cuda.is_bf16_supported():
        return ['--amp: this GPU has no native bf16']
    return []


def _optim_wrapper_cfg(cfg: Config, device: torch.device, amp: bool,
                       notes: List[str]) -> dict:
    """The config's optimizer wrapper, with its AMP switched as needed.

    The benchmark's ``--amp`` is bf16 autocast around the whole step, so a
    config's own ``AmpOptimWrapper`` is replaced with ``OptimWrapper``
    when ``--amp`` is given, and on CPU (where MMEngine's AMP wrapper
    cannot be built).
    """
    wrapper = copy.deepcopy(cfg.get('optim_wrapper', None))
    if wrapper is None:
        notes.append('no optim_wrapper in the config: SGD(lr=0.01)')
        return dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01))
    kind = wrapper.get('type', 'OptimWrapper')
    name = getattr(kind, '__name__', str(kind))
    if 'Amp' in name:
        if amp or device.type != 'cuda':
            for key in ('loss_scale', 'dtype', 'use_fsdp'):
                wrapper.pop(key, None)
            wrapper['type'] = 'OptimWrapper'
            why = '--amp (bf16 autocast)' if amp else 'CPU'
            notes.append(f"config's {name} replaced by OptimWrapper ({why})")
        else:
            dtype = wrapper.get('dtype', None) or 'float16'
            notes.append(f"config's {name} in use: mixed precision "
                         f'({dtype}) without --amp')
    return wrapper


def _train_step(model: nn.Module, cfg: Config, device: torch.device,
                amp: bool, notes: List[str]) -> Callable[[dict], object]:
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import DefaultScope
    model.train()
    # What a runner tells the model about the schedule (ProS's CosineEMA
    # reads max_iters): iteration 0 of a long schedule.
    hub = MessageHub.get_current_instance()
    for key, value in dict(iter=0, max_iters=_SCHEDULE_ITERS, epoch=0,
                           max_epochs=1).items():
        hub.update_info(key, value)
    with DefaultScope.overwrite_default_scope(
            cfg.get('default_scope', None) or 'mmpretrain'):
        optim_wrapper = build_optim_wrapper(
            model, _optim_wrapper_cfg(cfg, device, amp, notes))

    def step(data: dict):
        with _autocast(device, amp):
            return model.train_step(data, optim_wrapper)

    return step


def _infer_step(model: nn.Module, device: torch.device,
                amp: bool) -> Callable[[dict], object]:
    model.eval()
    if _is_selfsup(model):

        def step(data: dict):
            with torch.no_grad(), _autocast(device, amp):
                inputs = model.data_preprocessor(data, False)['inputs']
                return model(inputs, mode='tensor')
    else:

        def step(data: dict):
            with torch.no_grad(), _autocast(device, amp):
                return model.test_step(data)

    return step


def _count(module: nn.Module, trainable: bool = False) -> float:
    return sum(p.numel() for p in module.parameters()
               if p.requires_grad or not trainable) / 1e6


def _short_name(config: Union[str, Config]) -> str:
    if isinstance(config, Config):
        config = config.filename or 'config'
    name = str(config).split('::')[-1]
    return osp.splitext(osp.basename(name))[0]
