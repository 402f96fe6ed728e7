"""Seconds to read configs: MMEngine's Config.fromfile and fbp_mm's
load_config (each package::path base looked up once per process).

Usage:
    python tools/analysis/benchmark_config_reading.py [CONFIG ...]
        [--rounds 3] [--json OUT]

Without configs, every shipped top-level config (configs/, recipes and
_base_ left out). Both readers take turns in one process; the first round
of load_config includes its one lookup per base. Then the configs' text
(pretty_text) is read as many times as a one-epoch training run reads it,
from MMEngine's Config (formatted each time) and from CachedTextConfig
(formatted once, what FbpRunner holds).
"""
import argparse
import glob
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.utils.benchmark import (  # noqa: E402
    benchmark_config_reading, benchmark_config_text, write_benchmark_json)


def shipped_configs() -> list:
    """The top-level configs of the checkout."""
    found = glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                      recursive=True)
    return sorted(c for c in found if f'{osp.sep}_base_{osp.sep}' not in c
                  and f'{osp.sep}recipes{osp.sep}' not in c)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='*',
                        help='config files (default: the shipped ones)')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--json', default=None, help='write the report')
    args = parser.parse_args()
    configs = args.configs or shipped_configs()
    missing = [c for c in configs if not osp.isfile(c)]
    if missing:
        print(f'error: {missing[0]}: no such file')
        return 1
    if args.rounds < 1:
        print(f'error: --rounds must be at least 1, got {args.rounds}')
        return 1
    report = benchmark_config_reading(configs, args.rounds)
    print(f"{report['configs']} configs, {report['rounds']} rounds "
          '(seconds to read them all)')
    for name, row in report['readers'].items():
        print(f"{name}: median {row['median']} s "
              f"({row['ms_per_config']} ms a config), first round "
              f"{row['first_round']} s, rounds {row['seconds']}")
    print(f"ratio Config.fromfile / load_config: x{report['ratio']}")
    text = benchmark_config_text(configs)
    report['pretty_text'] = text
    print(f"pretty_text read {text['reads']} times from each config:")
    for name, row in text['kinds'].items():
        print(f"{name}: {row['seconds']} s ({row['ms_per_config']} ms a "
              'config)')
    if args.json:
        write_benchmark_json(report, args.json)
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
