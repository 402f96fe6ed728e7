# Copyright (c) fbp_mm contributors. All rights reserved.
"""Write the synthetic demo face dataset in the SCUT-FBP5500 layout.

Example:
    python tools/dataset_converters/make_demo_faces.py data/demo_faces \\
        --num-labeled 2000 --num-unlabeled 1000 --size 128 --seed 0
"""
import argparse
import json
import os.path as osp
import sys
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.datasets.synthetic_faces import (  # noqa: E402
    demo_faces_complete, generate_demo_faces)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description='Generate synthetic face-like images with known beauty '
        'scores in the SCUT-FBP5500_v2 folder layout (demo / test data).')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--num-labeled',
        type=int,
        default=2000,
        help='number of labeled images (default: 2000)')
    parser.add_argument(
        '--num-unlabeled',
        type=int,
        default=1000,
        help='number of unlabeled images (default: 1000)')
    parser.add_argument(
        '--size', type=int, default=128, help='image size (default: 128)')
    parser.add_argument(
        '--seed', type=int, default=0, help='random seed (default: 0)')
    parser.add_argument(
        '--noise-std',
        type=float,
        default=0.15,
        help='std of the Gaussian label noise (default: 0.15)')
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
        num_labeled=args.num_labeled,
        num_unlabeled=args.num_unlabeled,
        size=args.size,
        seed=args.seed,
        noise_std=args.noise_std)
    if not args.force and demo_faces_complete(args.out_dir, **settings):
        print(f'{args.out_dir} already holds a complete demo face dataset '
              'with the same settings; nothing to do (use --force to '
              'regenerate).')
        return 0

    total = args.num_labeled + args.num_unlabeled
    step = max(total // 10, 1)
    start = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            print(f'[{done}/{total}] {100.0 * done / total:.0f}% images '
                  f'({time.perf_counter() - start:.1f}s)',
                  flush=True)

    info = generate_demo_faces(args.out_dir, progress=progress, **settings)
    elapsed = time.perf_counter() - start
    summary = {
        k: info[k]
        for k in ('num_labeled', 'num_unlabeled', 'num_train', 'num_test',
                  'fold_sizes', 'level_counts')
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
