"""A tool's process leaves the collector's last sweep out at exit, and only
a process that asked for it."""
import glob
import os
import re
import statistics
import subprocess
import sys

import pytest

from fbp_mm.utils.benchmark import benchmark_process_exit

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MODULE = os.path.join(REPO_ROOT, 'fbp_mm', 'utils', 'process_exit.py')
# Loads the module from its file: importing fbp_mm would cost seconds here.
PROBE = '''import atexit, gc, importlib.util, sys
spec = importlib.util.spec_from_file_location('process_exit', sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
# registered first, so it runs last: after the module's handler
atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))
before = atexit._ncallbacks()
for _ in range(int(sys.argv[2])):
    mod.freeze_objects_at_exit()
print('handlers added:', atexit._ncallbacks() - before)
atexit.register(lambda: print('later handler ran'))
print('frozen while running:', gc.get_freeze_count() > 0)
'''


def _probe(calls: int) -> list:
    proc = subprocess.run([sys.executable, '-c', PROBE, MODULE, str(calls)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()


def test_objects_are_frozen_at_exit_after_the_other_handlers():
    assert _probe(2) == ['handlers added: 1', 'frozen while running: False',
                         'later handler ran', 'frozen at exit: True']


def test_a_process_that_does_not_ask_is_left_as_it_was():
    assert _probe(0)[-1] == 'frozen at exit: False'


def test_every_tool_that_imports_fbp_mm_asks_for_it():
    tools = glob.glob(os.path.join(REPO_ROOT, 'tools', '**', '*.py'),
                      recursive=True)
    asked, missing = [], []
    for path in sorted(tools):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        if not re.search(r'^(import|from) fbp_mm', text, re.M):
            continue
        main_block = text.split("if __name__ == '__main__':\n", 1)[-1]
        has_call = main_block.lstrip().startswith('freeze_objects_at_exit()')
        (asked if has_call else missing).append(
            os.path.relpath(path, REPO_ROOT))
    assert missing == []
    assert 'tools/train.py' in asked and len(asked) >= 20



def test_benchmark_reports_both_kinds_of_process():
    report = benchmark_process_exit('json', rounds=3)
    assert report['module'] == 'json' and report['rounds'] == 3
    assert list(report['variants']) == ['plain exit', 'frozen at exit']
    for row in report['variants'].values():
        assert len(row['exit_seconds']) == 3
        assert row['exit'] == pytest.approx(
            statistics.median(row['exit_seconds']), abs=1e-3)
        assert 0 < row['start'] < 60 and 0 <= row['import'] < 60
    assert report['exit_saved'] == pytest.approx(
        report['variants']['plain exit']['exit'] -
        report['variants']['frozen at exit']['exit'], abs=1e-3)


def test_benchmark_names_a_module_that_does_not_import():
    with pytest.raises(RuntimeError,
                       match='importing no_such_module_x failed'):
        benchmark_process_exit('no_such_module_x', rounds=1)
    with pytest.raises(ValueError, match='rounds must be at least 1'):
        benchmark_process_exit('json', rounds=0)
