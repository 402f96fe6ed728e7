"""Decode + augment images/s of one dataloader worker, for a config.

Usage:
    python tools/analysis/benchmark_data.py CONFIG [CONFIG ...]
        [--split train] [--num-images 64] [--size 224] [--json OUT]

Writes drawn faces as JPEGs at the config's input size, runs the config's
pipeline over them in this process (as one worker does) and prints one
line per config (per pipeline, when its dataset concatenates parts with
pipelines of their own). Divide the model's images/s
(tools/analysis/benchmark.py) by this to get the workers a GPU needs to
stay fed.
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.utils.benchmark import (  # noqa: E402
    benchmark_data_pipeline, write_benchmark_json)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--split', default='train',
                        choices=('train', 'val', 'test'))
    parser.add_argument('--num-images', type=int, default=64)
    parser.add_argument('--size', type=int, default=None,
                        help="image side (default: the config's input size)")
    parser.add_argument('--json', default=None, help='write the results')
    args = parser.parse_args()
    reports = []
    for config in args.configs:
        if not osp.isfile(config):
            print(f'error: {config}: no such file')
            return 1
        try:
            report = benchmark_data_pipeline(config, args.split,
                                             args.num_images, args.size)
        except ValueError as err:
            print(f'error: {config}: {err}')
            return 1
        report['config'] = config
        reports.append(report)
        several = len(report['pipelines']) > 1
        for part in report['pipelines']:
            where = f" [{part['dataset']}]" if several else ''
            print(f"{osp.basename(config)}{where}: {part['images_per_s']} "
                  f"images/s per worker ({part['ms_per_image']} ms/image, "
                  f"{report['size']} px, {' > '.join(part['transforms'])})")
    if args.json:
        write_benchmark_json(reports, args.json)
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
