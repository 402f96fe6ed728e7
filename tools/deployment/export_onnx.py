"""Export a config's deployed network (a distiller's student) to ONNX.

Usage:
    python tools/deployment/export_onnx.py CONFIG CHECKPOINT --out model.onnx
        [--size 352] [--opset 17] [--fold-input] [--fuse] [--check]
        [--benchmark] [--batch-size 1] [--static-batch] [--steps 50]
        [--runs 1] [--compare-timm edgenext_xx_small]

The ONNX model takes what the test pipeline packs, float (N, 3, H, W)
0-255 pixels in the loader's BGR order (normalisation inside), and gives
the scores (N, outputs). --fuse applies the inference-only rewrites
(layer scales and ResNet batch norms folded into weights, position
encodings computed once per input size;
fbp_mm.models.utils.fuse_for_inference). --check compares
ONNX Runtime with PyTorch (max |difference|, fails above 1e-4);
--benchmark prints both CPU images/s, timed taking turns (a config with
channels_last = True also times its network channels-first, --fuse the
network not fused); --compare-timm NAME adds timm's NAME with the same
head and input processing (random weights; needs timm installed).
--static-batch fixes the model's batch axis to --batch-size (faster in
ONNX Runtime, see docs/benchmarks.md; the model then takes that batch
size only); with --benchmark a dynamic-batch export of the same network
is timed beside it; --runs N repeats the benchmark and adds each ratio's
mean, std and range over the runs (over_runs; the last run's numbers stay
at the top level). Needs onnxruntime (requirements/tests.txt installs
it).
"""
import argparse
import copy
import json
import os.path as osp
import sys
import tempfile

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.apis.onnx_export import (  # noqa: E402
    check_onnx, compare_speed, export_onnx, scoring_network,
    summarize_speed_runs)
from fbp_mm.utils.benchmark.inputs import find_input_size  # noqa: E402
from fbp_mm.utils.complexity import build_model_for_analysis  # noqa: E402
from fbp_mm.utils.config_loading import load_config  # noqa: E402

TOLERANCE = 1e-4


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True, help='the .onnx file')
    parser.add_argument('--size', type=int, default=None,
                        help="input side (default: the config's test size)")
    parser.add_argument('--opset', type=int, default=17)
    parser.add_argument(
        '--fold-input', action='store_true',
        help='fold the BGR->RGB flip and the normalisation into the first '
        'convolution (exact for a stem without padding)')
    parser.add_argument(
        '--fuse', action='store_true',
        help='fold layer scales and ResNet batch norms into the '
        'preceding layers and compute position encodings once per input '
        'size (float rounding only)')
    parser.add_argument('--check', action='store_true',
                        help='compare ONNX Runtime with PyTorch')
    parser.add_argument('--benchmark', action='store_true',
                        help='CPU images/s of both')
    parser.add_argument('--batch-size', type=int, default=1,
                        help='batch of the benchmark, and of the model with '
                        '--static-batch (default: 1)')
    parser.add_argument(
        '--static-batch', action='store_true',
        help='export for --batch-size only (no dynamic batch axis)')
    parser.add_argument('--steps', type=int, default=50,
                        help='timed calls of each in the benchmark')
    parser.add_argument(
        '--runs', type=int, default=1,
        help='benchmark runs; with more than one the report adds each '
        "ratio's mean, std and range over them (over_runs)")
    parser.add_argument(
        '--compare-timm', metavar='NAME',
        help="with --benchmark: also time timm's NAME (e.g. "
        'edgenext_xx_small) with an MLP head like ours, random weights')
    args = parser.parse_args()
    for path in (args.config, args.checkpoint):
        if not osp.isfile(path):
            print(f'error: {path}: no such file')
            return 1
    cfg = load_config(args.config)
    size = args.size or find_input_size(cfg, 'test')
    # built once; the networks timed beside it take copies
    model = build_model_for_analysis(cfg, checkpoint=args.checkpoint)
    try:
        network = scoring_network(model, fold_input=args.fold_input,
                                  fuse=args.fuse)
    except ValueError as err:
        print(f'error: {err}')
        return 1
    fixed = args.batch_size if args.static_batch else None
    export_onnx(network, args.out, size, args.opset, batch_size=fixed)
    report = dict(onnx=args.out, input_size=size, batch_size=fixed,
                  fold_input=network.folded, fused=network.fused)
    status = 0
    if args.check:
        diff = check_onnx(args.out, network, size)
        report['max_abs_difference'] = diff
        if diff > TOLERANCE:
            status = 1
    if args.benchmark:
        references = {}
        if network.channels_last:
            # what the config's channels_last switch buys, in the same run
            references['ours, channels-first'] = scoring_network(
                copy.deepcopy(model), fold_input=args.fold_input,
                channels_last=False, fuse=args.fuse)
        if args.fuse:
            # what --fuse buys, in the same run
            references['ours, not fused'] = scoring_network(
                copy.deepcopy(model), fold_input=args.fold_input)
        if args.compare_timm:
            from fbp_mm.utils.benchmark import timm_reference
            try:
                references[f'timm {args.compare_timm}'] = timm_reference(
                    args.compare_timm, network)
            except ImportError as err:
                print(f'error: {err}')
                return 1
        with tempfile.TemporaryDirectory() as tmp:
            onnx_references = {}
            if args.static_batch:
                onnx_references['dynamic batch'] = export_onnx(
                    network, osp.join(tmp, 'dynamic.onnx'), size, args.opset)
            runs = [
                compare_speed(args.out, network, size, args.batch_size,
                              steps=args.steps, references=references,
                              onnx_references=onnx_references)
                for _ in range(max(1, args.runs))
            ]
            report.update(runs[-1])
            if len(runs) > 1:
                report['over_runs'] = summarize_speed_runs(runs)
    print(json.dumps(report))
    if status:
        print(f'error: ONNX Runtime differs from PyTorch by {diff:.2e} '
              f'(more than {TOLERANCE:g})')
    return status


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
