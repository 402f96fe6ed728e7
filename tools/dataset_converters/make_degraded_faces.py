# Copyright (c) fbp_mm contributors. All rights reserved.
"""Turn a folder of face images into a face image quality (FIQA) dataset.

Every source face is kept untouched once and copied with graded, seeded
degradations; each copy's score is the documented quality of the applied
degradations (1 = untouched, lower is worse). The generator is
:func:`fbp_mm.generators.make_degraded_faces`; see its documentation and
the README written into ``OUT_DIR``.

Example:
    python tools/dataset_converters/make_degraded_faces.py \\
        data/demo_faces/Images data/degraded_faces \\
        --levels 5 --seed 0 --splits 0.6 0.2 0.2 --unlabeled 0.2 0.2
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.generators import (DEGRADATIONS,  # noqa: E402
                               degraded_faces_complete, make_degraded_faces)
from fbp_mm.generators.cli import add_force_flag, run_generator  # noqa: E402


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
        levels=args.levels,
        per_source=args.per_source,
        seed=args.seed,
        splits=tuple(args.splits),
        unlabeled_fractions=tuple(args.unlabeled),
        image_size=args.size,
        types=args.types)
    return run_generator(
        args.out_dir,
        'degraded face dataset with the same sources and settings',
        lambda: degraded_faces_complete(args.src_dir, args.out_dir,
                                        **settings),
        lambda progress: make_degraded_faces(
            args.src_dir, args.out_dir, progress=progress, **settings),
        summary_keys=('num_sources', 'num_images', 'split_sources',
                      'split_images', 'type_counts', 'skipped'),
        rounded_keys=('score_mean', 'score_std', 'score_min', 'score_max'),
        force=args.force)


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
