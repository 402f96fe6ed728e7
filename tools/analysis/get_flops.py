"""Print the parameters and GFLOPs of a config's model.

Usage:
    python tools/analysis/get_flops.py CONFIG [--shape H [W]]
        [--max-params M] [--max-gflops G] [--cfg-options ...]

For a distiller config, the student (what is deployed) is counted. With
``--max-params`` / ``--max-gflops`` the tool exits with status 1 when the
model is over budget (e.g. the FIQA challenge's 5 M params / 0.5 GFLOPs).
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from mmengine.config import DictAction  # noqa: E402

import fbp_mm  # noqa: E402,F401
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.utils.complexity import (  # noqa: E402
    build_model_for_analysis, complexity_summary)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Parameters and GFLOPs of a model')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--shape',
        type=int,
        nargs='+',
        default=[224],
        help='input size: H, or H W (default 224)')
    parser.add_argument('--max-params', type=float, help='budget in millions')
    parser.add_argument('--max-gflops', type=float, help='budget in GFLOPs')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries')
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if len(args.shape) == 1:
        size = (args.shape[0], args.shape[0])
    elif len(args.shape) == 2:
        size = tuple(args.shape)
    else:
        raise ValueError('--shape takes H or H W')
    model = build_model_for_analysis(args.config, args.cfg_options)
    summary = complexity_summary(model, size)
    print(f'Config: {args.config}')
    print(f'Input shape: (3, {size[0]}, {size[1]})')
    print(f'Params: {summary["params_m"]:.3f} M')
    print(f'FLOPs: {summary["gflops"]:.3f} GFLOPs')
    over = []
    params, gflops = summary['params_m'], summary['gflops']
    if args.max_params is not None and params > args.max_params:
        over.append(f'params {params:.3f} M > {args.max_params} M')
    if args.max_gflops is not None and gflops > args.max_gflops:
        over.append(f'FLOPs {gflops:.3f} G > {args.max_gflops} G')
    if over:
        print('Over budget: ' + '; '.join(over))
        return 1
    if args.max_params is not None or args.max_gflops is not None:
        print('Within budget.')
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
