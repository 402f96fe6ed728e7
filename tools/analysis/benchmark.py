"""Images/s, step time, peak memory, GFLOPs and parameters of a config.

Usage:
    python tools/analysis/benchmark.py CONFIG [--mode train|infer|distill]
        [--batch-size N] [--device cpu|cuda] [--amp] [--compile]
        [--channels-last] [--teacher-cache] [--fuse] [--warmup W]
        [--steps S] [--peak-tflops P]
        [--compare CONFIG2] [--interleave] [--cfg-options ...] [--json OUT]

Works for any config: supervised models, distillers (``--mode distill``
also times the student alone), self-supervised algorithms (MAE, ProS,
FacePrior) and shipped configs such as ``mmpretrain::mae/...``. The
inputs are random images packed by the config's own pipeline; no data,
pretrained weight or teacher checkpoint is needed. See docs/benchmarks.md.
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from mmengine.config import DictAction  # noqa: E402

import fbp_mm  # noqa: E402,F401
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.utils.benchmark import (MODES, benchmark,  # noqa: E402
                                    format_benchmark_table,
                                    write_benchmark_json)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark the training / inference speed of a model')
    parser.add_argument('config', help='config file (or package::path)')
    parser.add_argument(
        '--mode', choices=MODES, default='train',
        help='train: a full training step; infer: test_step in eval mode '
        '(features for self-supervised models); distill: a distiller step '
        'and its student alone (default: train)')
    parser.add_argument(
        '--batch-size', type=int, default=32, help='images per step')
    parser.add_argument(
        '--device', choices=('cpu', 'cuda'),
        help='default: cuda when available, else cpu')
    parser.add_argument(
        '--amp', action='store_true', help='bf16 autocast around the step')
    parser.add_argument(
        '--compile', action='store_true', help='torch.compile the model')
    parser.add_argument(
        '--channels-last', action='store_true',
        help='model and inputs in channels-last memory format')
    parser.add_argument(
        '--warmup', type=int, default=3, help='untimed steps (default 3)')
    parser.add_argument(
        '--steps', type=int, default=10,
        help='timed steps; the median is reported (default 10)')
    parser.add_argument(
        '--peak-tflops', type=float,
        help='peak TFLOP/s of the device at the precision used, to report '
        'the utilisation')
    parser.add_argument(
        '--teacher-cache', action='store_true',
        help='with --mode distill, also time the step with the teacher '
        'outputs from the cache (TeacherOutputCache)')
    parser.add_argument(
        '--fuse', action='store_true',
        help='with --mode infer, rewrite the network for inference first '
        '(layer scales and ResNet batch norms folded, position '
        'encodings cached; '
        'fbp_mm.models.utils.fuse_for_inference)')
    parser.add_argument(
        '--compare', help='a second config, benchmarked the same way')
    parser.add_argument(
        '--interleave', action='store_true',
        help='build all models of the run first, then time them taking '
        'turns step by step (steady ratios on a noisy, shared machine)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override entries of CONFIG (not of --compare)')
    parser.add_argument('--json', help='write the results to this JSON file')
    args = parser.parse_args()
    if args.fuse and args.mode != 'infer':
        parser.error('--fuse rewrites the network for inference: use it '
                     f'with --mode infer, not {args.mode}')
    return args


def main() -> int:
    args = parse_args()
    report = benchmark(
        args.config,
        compare=args.compare,
        interleave=args.interleave,
        mode=args.mode,
        batch_size=args.batch_size,
        device=args.device,
        amp=args.amp,
        compile_model=args.compile,
        channels_last=args.channels_last,
        warmup=args.warmup,
        steps=args.steps,
        peak_tflops=args.peak_tflops,
        cfg_options=args.cfg_options,
        teacher_cache=args.teacher_cache,
        fuse=args.fuse)
    print(format_benchmark_table(report))
    if args.json:
        write_benchmark_json(report, args.json)
        print(f'Results written to {args.json}')
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
