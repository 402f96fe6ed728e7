# Copyright (c) fbp_mm contributors. All rights reserved.
"""Write the real face photos that installed packages ship to a folder.

100 Labeled-Faces-in-the-Wild crops from scikit-image and two public-domain
portraits (scikit-image's astronaut, matplotlib's Grace Hopper), optionally
with the first N images of another face folder; see
:mod:`fbp_mm.generators.package_faces`. The folder is a source tree for
``make_degraded_faces.py`` (the FIQA demo).

Example:
    python tools/dataset_converters/collect_package_faces.py data/fiqa_src \\
        --extra-dir data/demo_faces/Images --extra-count 200
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.generators.cli import add_force_flag, run_generator  # noqa: E402
from fbp_mm.generators.package_faces import (  # noqa: E402
    collect_package_faces, package_faces_complete)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description='Write the real face photos shipped by scikit-image '
        'and matplotlib (and optionally more faces) to a folder.')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--margin',
        type=float,
        default=0.25,
        help='margin around the detected portrait faces, share of the box '
        'per side (default: 0.25)')
    parser.add_argument(
        '--extra-dir', help='folder of more face images to copy (e.g. '
        'data/demo_faces/Images)')
    parser.add_argument(
        '--extra-count',
        type=int,
        default=0,
        help='how many of them (the first by name; default: 0)')
    add_force_flag(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the collector.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    settings = dict(margin=args.margin, extra_dir=args.extra_dir,
                    extra_count=args.extra_count)
    try:
        return run_generator(
            args.out_dir,
            'face collection with the same settings',
            lambda: package_faces_complete(args.out_dir, **settings),
            lambda progress: collect_package_faces(
                args.out_dir, progress=progress, **settings),
            summary_keys=('num_real', 'num_extra', 'num_images'),
            force=args.force)
    except (FileNotFoundError, RuntimeError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
