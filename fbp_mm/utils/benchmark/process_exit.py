"""What a tool's process pays to start, import and exit, with and without
:func:`fbp_mm.utils.freeze_objects_at_exit`."""
import statistics
import subprocess
import sys
import time
from typing import Dict, List

from .. import process_exit as tool_exit

__all__ = ['benchmark_process_exit']

# argv: module to import, '1' to freeze at exit, the file of
# fbp_mm.utils.process_exit (loaded alone: the module under test may not
# be fbp_mm). Prints the child's start time, its import seconds and the
# time its work ended.
_CHILD = '''import sys, time
start = time.time()
import importlib, importlib.util
importlib.import_module(sys.argv[1])
if sys.argv[2] == '1':
    spec = importlib.util.spec_from_file_location('process_exit', sys.argv[3])
    process_exit = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(process_exit)
    process_exit.freeze_objects_at_exit()
print(start, time.time() - start, time.time(), flush=True)
'''
VARIANTS = ('plain exit', 'frozen at exit')


def _run_child(module: str, freeze: bool) -> Dict[str, float]:
    launched = time.time()
    proc = subprocess.run(
        [sys.executable, '-c', _CHILD, module, '1' if freeze else '0',
         tool_exit.__file__],
        capture_output=True, text=True, timeout=600)
    ended = time.time()
    if proc.returncode != 0:
        raise RuntimeError(f'importing {module} failed:\n{proc.stderr}')
    start, imported, done = map(float, proc.stdout.split())
    return {'start': start - launched, 'import': imported,
            'exit': ended - done}


def benchmark_process_exit(module: str = 'fbp_mm', rounds: int = 5) -> dict:
    """Time a fresh Python process that imports ``module`` and exits, with
    the collector's last sweep and without it (``gc.freeze`` at exit, as
    :func:`~fbp_mm.utils.freeze_objects_at_exit` does).

    Each round starts one process of each kind (which goes first
    alternates). Per process: ``start`` (launch to the first line of the
    program: the interpreter's own start-up), ``import`` and ``exit`` (end
    of the program to the end of the process), in seconds; the report has
    the median of each over the rounds.

    Args:
        module (str): The module the processes import. Defaults to
            ``'fbp_mm'``.
        rounds (int): Processes of each kind. Defaults to 5.

    Returns:
        dict: ``module``, ``rounds``, ``variants`` (for ``'plain exit'``
        and ``'frozen at exit'``: ``start``, ``import``, ``exit`` medians
        and ``exit_seconds``, one per round) and ``exit_saved`` (seconds
        saved at each exit, median over median).

    Example:
        >>> report = benchmark_process_exit('json', rounds=1)
        >>> sorted(report['variants'])
        ['frozen at exit', 'plain exit']
    """
    if rounds < 1:
        raise ValueError(f'rounds must be at least 1, got {rounds}.')
    runs: Dict[str, List[Dict[str, float]]] = {v: [] for v in VARIANTS}
    for index in range(rounds):
        order = VARIANTS if index % 2 == 0 else VARIANTS[::-1]
        for variant in order:
            runs[variant].append(
                _run_child(module, freeze=variant == 'frozen at exit'))
    variants = {}
    for variant, rows in runs.items():
        variants[variant] = {
            'start': round(statistics.median(r['start'] for r in rows), 3),
            'import': round(statistics.median(r['import'] for r in rows), 3),
            'exit': round(statistics.median(r['exit'] for r in rows), 3),
            'exit_seconds': [round(r['exit'], 3) for r in rows]}
    saved = variants['plain exit']['exit'] - variants['frozen at exit']['exit']
    return dict(module=module, rounds=rounds, variants=variants,
                exit_saved=round(saved, 3))
