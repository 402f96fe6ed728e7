# Copyright (c) fbp_mm contributors. All rights reserved.
"""Turn a folder of face images into a face image quality (FIQA) dataset.

Every source face is kept untouched once and copied with graded, seeded
degradations; each copy's score is the documented quality of the applied
degradations (1 = untouched, lower is worse). See
``fbp_mm/datasets/degraded_faces.py`` and the README written into
``OUT_DIR``.

Example:
    python tools/dataset_converters/make_degraded_faces.py \\
        data/demo_faces/Images data/degraded_faces \\
        --levels 5 --seed 0 --splits 0.6 0.2 0.2 --unlabeled 0.2 0.2
"""
import argparse
import importlib
import importlib.util
import json
import os.path as osp
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def _import_light(name: str):
    """Import ``fbp_mm.datasets.<name>`` without ``fbp_mm/__init__.py``.

    The generator needs only numpy and OpenCV, while importing the package
    loads PyTorch and MMPretrain (several seconds). Unless ``fbp_mm`` is
    already imported, the module file is loaded under its usual dotted
    name, so its relative imports of modules loaded the same way resolve
    as usual.
    """
    full = f'fbp_mm.datasets.{name}'
    if 'fbp_mm' in sys.modules or full in sys.modules:
        return importlib.import_module(full)
    path = osp.join(REPO_ROOT, 'fbp_mm', 'datasets', f'{name}.py')
    spec = importlib.util.spec_from_file_location(full, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[full] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[full]
        raise
    return module


DEGRADATIONS = _import_light('degradations').DEGRADATIONS
_generator = _import_light('degraded_faces')
degraded_faces_complete = _generator.degraded_faces_complete
make_degraded_faces = _generator.make_degraded_faces


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description='Make a labeled face image quality dataset from a '
        'folder of face images by graded degradations (blur, motion blur, '
        'JPEG, noise, low resolution, exposure, occlusion, mixtures).')
    parser.add_argument(
        'src_dir', help='folder of source face images (searched '
        'recursively)')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--levels',
        type=int,
        default=5,
        help='number of strength levels (default: 5)')
    parser.add_argument(
        '--per-source',
        type=int,
        default=None,
        help='images per source, the clean one included '
        '(default: levels + 1)')
    parser.add_argument(
        '--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument(
        '--splits',
        type=float,
        nargs=3,
        default=[0.6, 0.2, 0.2],
        metavar=('TRAIN', 'VAL', 'TEST'),
        help='shares of the labeled sources (default: 0.6 0.2 0.2)')
    parser.add_argument(
        '--unlabeled',
        type=float,
        nargs=2,
        default=[0.2, 0.2],
        metavar=('U1', 'U2'),
        help='shares of all sources for the two unlabeled pools '
        '(default: 0.2 0.2; use 0 0 for none)')
    parser.add_argument(
        '--size',
        type=int,
        default=None,
        metavar='PX',
        help='resize the shorter side to PX and keep the centre square '
        '(default: keep the source size)')
    parser.add_argument(
        '--types',
        nargs='+',
        default=None,
        choices=list(DEGRADATIONS),
        metavar='TYPE',
        help='degradation types to draw from, out of '
        f'{", ".join(DEGRADATIONS)} (default: all)')
    parser.add_argument(
        '--force',
        action='store_true',
        help='regenerate even if a matching dataset is already there')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the generator.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    settings = dict(
        levels=args.levels,
        per_source=args.per_source,
        seed=args.seed,
        splits=tuple(args.splits),
        unlabeled_fractions=tuple(args.unlabeled),
        image_size=args.size,
        types=args.types)
    if not args.force and degraded_faces_complete(args.src_dir, args.out_dir,
                                                  **settings):
        print(f'{args.out_dir} already holds a complete degraded face '
              'dataset with the same sources and settings; nothing to do '
              '(use --force to regenerate).')
        return 0

    start = time.perf_counter()
    state = {'next': 0.1}

    def progress(done: int, total: int) -> None:
        fraction = done / max(total, 1)
        if fraction >= state['next'] or done == total:
            while state['next'] <= fraction:
                state['next'] += 0.1
            print(f'[{done}/{total}] {100.0 * fraction:.0f}% images '
                  f'({time.perf_counter() - start:.1f}s)',
                  flush=True)

    info = make_degraded_faces(
        args.src_dir, args.out_dir, progress=progress, **settings)
    elapsed = time.perf_counter() - start
    summary = {
        k: info[k]
        for k in ('num_sources', 'num_images', 'split_sources',
                  'split_images', 'type_counts', 'skipped')
    }
    summary.update({
        k: round(info[k], 4)
        for k in ('score_mean', 'score_std', 'score_min', 'score_max')
    })
    print(f'Done in {elapsed:.1f}s: {args.out_dir}')
    print(json.dumps(summary))
    return 0


if __name__ == '__main__':
    sys.exit(main())
