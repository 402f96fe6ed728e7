"""Seconds a tool's process spends starting, importing and exiting, with
the collector's last sweep at exit and without it (gc.freeze at exit, what
fbp_mm.utils.freeze_objects_at_exit registers in every tool).

Usage:
    python tools/analysis/benchmark_process_exit.py [--module fbp_mm]
        [--rounds 5] [--json OUT]

Each round starts one fresh process of each kind, in alternating order.
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.utils.benchmark import (  # noqa: E402
    benchmark_process_exit, write_benchmark_json)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--module', default='fbp_mm',
                        help='what each process imports (default: fbp_mm)')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--json', default=None, help='write the report')
    args = parser.parse_args()
    if args.rounds < 1:
        print(f'error: --rounds must be at least 1, got {args.rounds}')
        return 1
    try:
        report = benchmark_process_exit(args.module, args.rounds)
    except RuntimeError as err:
        print(f'error: {err}')
        return 1
    print(f"import {report['module']}, {report['rounds']} processes of "
          'each kind (median seconds)')
    for name, row in report['variants'].items():
        print(f"{name}: start {row['start']} s, import {row['import']} s, "
              f"exit {row['exit']} s (exits {row['exit_seconds']})")
    print(f"saved at each exit: {report['exit_saved']} s")
    if args.json:
        write_benchmark_json(report, args.json)
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
