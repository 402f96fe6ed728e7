"""How long reading configs takes: MMEngine's ``Config.fromfile`` beside
:func:`fbp_mm.utils.load_config`, in one process, taking turns; and how
long formatting them as text takes, each time (``Config``) or once
(:class:`~fbp_mm.engine.CachedTextConfig`)."""
import statistics
import time
from typing import Callable, Dict, List, Sequence

from mmengine.config import Config

from ...engine.config_text import CachedTextConfig
from ..config_loading import load_config

__all__ = ['benchmark_config_reading', 'benchmark_config_text']

#: ``pretty_text`` reads in a one-epoch training run of ``FbpRunner``
RUNNER_TEXT_READS = 7

READERS: Dict[str, Callable[[str], Config]] = {
    'Config.fromfile': Config.fromfile,
    'load_config': load_config,
}


def benchmark_config_reading(configs: Sequence[str],
                             rounds: int = 3) -> dict:
    """Time reading a list of configs with both readers, round by round.

    Each round reads every config once with each reader (which goes first
    alternates between rounds). The first round of ``load_config`` pays
    its lookups (once per process), so it is reported apart from the
    median over all rounds.

    Args:
        configs (Sequence[str]): Config files.
        rounds (int): Rounds. Defaults to 3.

    Returns:
        dict: ``configs`` (their number), ``rounds``, and for each reader
        ``seconds`` (a list, one total per round), ``first_round`` and
        ``median`` (seconds to read the whole list), ``ms_per_config``
        (median / configs); ``ratio``: ``Config.fromfile``'s median over
        ``load_config``'s.

    Example:
        >>> report = benchmark_config_reading(
        ...     ['configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py'], 2)
        >>> sorted(report['readers'])
        ['Config.fromfile', 'load_config']
    """
    if not configs:
        raise ValueError('No config to read.')
    if rounds < 1:
        raise ValueError(f'rounds must be at least 1, got {rounds}.')
    seconds: Dict[str, List[float]] = {name: [] for name in READERS}
    names = list(READERS)
    for index in range(rounds):
        for name in (names if index % 2 == 0 else names[::-1]):
            start = time.perf_counter()
            for config in configs:
                READERS[name](config)
            seconds[name].append(time.perf_counter() - start)
    readers = {}
    for name, values in seconds.items():
        median = statistics.median(values)
        readers[name] = dict(
            seconds=[round(v, 4) for v in values],
            first_round=round(values[0], 4),
            median=round(median, 4),
            ms_per_config=round(1000 * median / len(configs), 2))
    ratio = (statistics.median(seconds['Config.fromfile']) /
             statistics.median(seconds['load_config']))
    return dict(configs=len(configs), rounds=rounds, readers=readers,
                ratio=round(ratio, 2))


def benchmark_config_text(configs: Sequence[str],
                          reads: int = RUNNER_TEXT_READS) -> dict:
    """Time ``pretty_text`` read ``reads`` times from each config, as a
    runner reads it (log, dump, run start, checkpoints): MMEngine's
    ``Config`` formats it every time, ``CachedTextConfig`` once.

    Args:
        configs (Sequence[str]): Config files.
        reads (int): Reads of each config's text. Defaults to 7, what a
            one-epoch training run of ``FbpRunner`` makes.

    Returns:
        dict: ``configs``, ``reads``, and for ``'Config'`` and
        ``'CachedTextConfig'``: ``seconds`` (all reads of all configs) and
        ``ms_per_config``.

    Example:
        >>> report = benchmark_config_text(
        ...     ['configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py'], 2)
        >>> sorted(report['kinds'])
        ['CachedTextConfig', 'Config']
    """
    if not configs:
        raise ValueError('No config to read.')
    if reads < 1:
        raise ValueError(f'reads must be at least 1, got {reads}.')
    loaded = [load_config(c) for c in configs]
    kinds = {'Config': lambda cfg: cfg,
             'CachedTextConfig': CachedTextConfig.from_config}
    report = {}
    for name, convert in kinds.items():
        copies = [convert(cfg.copy()) for cfg in loaded]
        start = time.perf_counter()
        for cfg in copies:
            for _ in range(reads):
                cfg.pretty_text
        seconds = time.perf_counter() - start
        report[name] = dict(
            seconds=round(seconds, 4),
            ms_per_config=round(1000 * seconds / len(configs), 2))
    return dict(configs=len(configs), reads=reads, kinds=report)
