# Copyright (c) fbp_mm contributors. All rights reserved.
"""What the dataset generator command lines share.

``tools/dataset_converters/make_demo_faces.py`` and
``make_degraded_faces.py`` only parse their flags; :func:`run_generator`
does the rest: skip a folder that is already complete, print progress
lines while generating, and end with a one-line JSON summary.
"""
import argparse
import json
import os.path as osp
import sys
import time
from typing import Callable, Dict, Optional, Sequence

__all__ = [
    'ProgressPrinter', 'ProgressBarCallback', 'add_force_flag',
    'read_settings_file', 'run_generator'
]

Progress = Callable[[int, int], None]


class ProgressPrinter:
    """Print ``[done/total] NN% images (T s)`` at every tenth of the work.

    Call it with ``(done, total)`` after every item; it prints when the
    finished share crosses the next multiple of ``step`` and at the end.

    Args:
        step (float): Share between two lines. Defaults to 0.1.
        clock (Callable[[], float]): Time source in seconds. Defaults to
            :func:`time.perf_counter`.

    Example:
        >>> show = ProgressPrinter(step=0.5, clock=lambda: 0.0)
        >>> for done in range(1, 5):
        ...     show(done, 4)
        [2/4] 50% images (0.0s)
        [4/4] 100% images (0.0s)
    """

    def __init__(self,
                 step: float = 0.1,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        if not 0.0 < step <= 1.0:
            raise ValueError(f'step must be in (0, 1], got {step}')
        self.step = step
        self.clock = clock
        self.start = clock()
        self._next = step

    def __call__(self, done: int, total: int) -> None:
        fraction = done / max(total, 1)
        # Compare with a little slack so that 3/10 counts as 30%.
        if fraction + 1e-9 < self._next and done != total:
            return
        while self._next <= fraction + 1e-9:
            self._next += self.step
        print(f'[{done}/{total}] {100.0 * fraction:.0f}% images '
              f'({self.clock() - self.start:.1f}s)',
              flush=True)


class ProgressBarCallback:
    """A ``(done, total)`` progress callback drawn as MMEngine's
    :class:`~mmengine.utils.ProgressBar` (count, rate, elapsed, ETA).

    The first call sets the bar's total and what was already done (a
    resumed run starts part way); a newline ends the bar when ``done``
    reaches ``total``.

    Args:
        file: Stream to draw on. Defaults to ``sys.stdout``.

    Example:
        >>> import io
        >>> show = ProgressBarCallback(file=io.StringIO())
        >>> for done in range(3, 5):
        ...     show(done, 4)
        >>> show.bar.completed
        4
    """

    def __init__(self, file=None) -> None:
        self.file = file
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        from mmengine.utils import ProgressBar
        if self.bar is None:
            self.bar = ProgressBar(total, file=self.file or sys.stdout)
            self.bar.completed = done - 1
        self.bar.update(max(done - self.bar.completed, 1))
        if done >= total:
            self.bar.file.write('\n')
            self.bar.file.flush()


def read_settings_file(path: str) -> Optional[dict]:
    """The settings a generator wrote last into its folder, if readable.

    Args:
        path (str): The settings JSON file.

    Returns:
        dict | None: Its content; None when it is missing or unreadable
        (the folder then counts as incomplete).
    """
    if not osp.isfile(path):
        return None
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def add_force_flag(parser: argparse.ArgumentParser) -> None:
    """Add ``--force`` (regenerate a folder that is already complete).

    Args:
        parser (argparse.ArgumentParser): The tool's parser.
    """
    parser.add_argument(
        '--force',
        action='store_true',
        help='regenerate even if a matching dataset is already there')


def run_generator(out_dir: str,
                  what: str,
                  is_complete: Callable[[], bool],
                  generate: Callable[[Progress], Dict],
                  summary_keys: Sequence[str],
                  rounded_keys: Sequence[str] = (),
                  force: bool = False,
                  clock: Optional[Callable[[], float]] = None) -> int:
    """Generate a dataset folder unless it is already complete.

    Prints ``<out_dir> already holds a complete <what>; nothing to do (use
    --force to regenerate).`` and returns when ``is_complete()`` says so
    (and ``force`` is off). Otherwise it calls ``generate(progress)`` with
    a :class:`ProgressPrinter`, then prints ``Done in <T>s: <out_dir>`` and
    a JSON line with ``summary_keys`` of the returned dict and
    ``rounded_keys`` rounded to 4 decimals (the last line of the output).

    Args:
        out_dir (str): The folder being written.
        what (str): What a complete folder holds, for the skip message.
        is_complete (Callable[[], bool]): Whether nothing needs doing.
        generate (Callable): Writes the folder; takes the progress
            callback and returns the generator's summary dict.
        summary_keys (Sequence[str]): Keys of the summary to print as is.
        rounded_keys (Sequence[str]): Float keys to print rounded.
        force (bool): Regenerate even when complete. Defaults to False.
        clock (Callable[[], float], optional): Time source in seconds.
            Defaults to :func:`time.perf_counter`.

    Returns:
        int: Exit status 0.

    Example:
        >>> run_generator('out', 'demo set', lambda: False,
        ...               lambda progress: {'n': 3, 'mean': 0.123456},
        ...               ['n'], ['mean'], clock=lambda: 0.0)
        Done in 0.0s: out
        {"n": 3, "mean": 0.1235}
        0
    """
    if not force and is_complete():
        print(f'{out_dir} already holds a complete {what}; nothing to do '
              '(use --force to regenerate).')
        return 0
    clock = time.perf_counter if clock is None else clock
    start = clock()
    info = generate(ProgressPrinter(clock=clock))
    summary = {k: info[k] for k in summary_keys}
    summary.update({k: round(info[k], 4) for k in rounded_keys})
    print(f'Done in {clock() - start:.1f}s: {out_dir}')
    print(json.dumps(summary))
    return 0
