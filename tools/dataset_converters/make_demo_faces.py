# Copyright (c) fbp_mm contributors. All rights reserved.
"""Write the synthetic demo face dataset in the SCUT-FBP5500 layout.

The generator is :func:`fbp_mm.generators.generate_demo_faces`.

Example:
    python tools/dataset_converters/make_demo_faces.py data/demo_faces \\
        --num-labeled 2000 --num-unlabeled 1000 --size 128 --seed 0
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.generators import (demo_faces_complete,  # noqa: E402
                               generate_demo_faces)
from fbp_mm.generators.cli import add_force_flag, run_generator  # noqa: E402


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
    add_force_flag(parser)
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
    return run_generator(
        args.out_dir,
        'demo face dataset with the same settings',
        lambda: demo_faces_complete(args.out_dir, **settings),
        lambda progress: generate_demo_faces(
            args.out_dir, progress=progress, **settings),
        summary_keys=('num_labeled', 'num_unlabeled', 'num_train', 'num_val',
                      'num_test', 'fold_sizes', 'level_counts'),
        rounded_keys=('score_mean', 'score_std', 'score_min', 'score_max'),
        force=args.force)


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
