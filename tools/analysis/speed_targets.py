"""Measure the project's GPU speed targets in one go and say which hold.

Usage:
    python tools/analysis/speed_targets.py --peak-tflops P [--device cuda]
        [--only NAME ...] [--batch-size N] [--warmup W] [--steps S]
        [--json OUT] [--list]

Runs fbp_mm.utils.benchmark.GPU_TARGETS (MS-MAE pretraining utilisation
and speed against stock MAE, the distillation steps with the live and the
cached teacher, the FIQA student's images/s from uint8 batches) with
tools/analysis/benchmark.py's machinery and prints one line per target.
P is the GPU's dense bf16 peak in TFLOP/s (989 for an H100 / H200 SXM).
Exits 1 when a target is missed. See docs/benchmarks.md.
"""
import argparse
import json
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

import fbp_mm  # noqa: E402,F401
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.utils.benchmark.targets import (  # noqa: E402
    GPU_TARGETS, check_speed_targets, format_speed_targets)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--peak-tflops', type=float,
                        help='dense bf16 peak of the GPU (for utilisation)')
    parser.add_argument('--device', default=None,
                        help='default: cuda when available, else cpu')
    parser.add_argument('--only', nargs='+', metavar='NAME',
                        help='run only these runs (see --list)')
    parser.add_argument('--batch-size', type=int,
                        help="override every run's batch size")
    parser.add_argument('--warmup', type=int)
    parser.add_argument('--steps', type=int)
    parser.add_argument('--json', help='write every report here')
    parser.add_argument('--list', action='store_true',
                        help='print the runs and their checks, run nothing')
    args = parser.parse_args()
    runs = [r for r in GPU_TARGETS if not args.only or r.name in args.only]
    unknown = set(args.only or ()) - {r.name for r in GPU_TARGETS}
    if unknown:
        print(f'error: unknown run(s) {sorted(unknown)}; known: '
              f'{[r.name for r in GPU_TARGETS]}')
        return 1
    if args.list:
        for run in runs:
            print(f'{run.name}: {run.config}'
                  + (f' vs {run.compare}' if run.compare else '')
                  + f' {run.settings}')
            for check in run.checks:
                sign = '>=' if check.at_least else '<='
                print(f'  {check.name} {sign} {check.bound:g}')
        return 0
    overrides = {
        key: value
        for key, value in dict(
            device=args.device, peak_tflops=args.peak_tflops,
            batch_size=args.batch_size, warmup=args.warmup,
            steps=args.steps).items() if value is not None
    }
    results = check_speed_targets(runs, **overrides)
    print(format_speed_targets(results))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=1, default=str)
        print(f'Results written to {args.json}')
    return 0 if all(c['met'] is not False for r in results
                    for c in r['checks']) else 1


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
