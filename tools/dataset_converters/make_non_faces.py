# Copyright (c) fbp_mm contributors. All rights reserved.
"""Write seeded crops of scikit-image's sample photos that show no face.

The ProS demo mixes them into its raw image folder, so its curation stage
(face detection) has images to drop; see :mod:`fbp_mm.generators.non_faces`.

Example:
    python tools/dataset_converters/make_non_faces.py data/demo_non_faces \\
        --num 400
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.generators.cli import add_force_flag, run_generator  # noqa: E402
from fbp_mm.generators.non_faces import (  # noqa: E402
    generate_non_faces, non_faces_complete)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description='Write crops of photos without faces (scikit-image '
        'samples) to a folder.')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--num', type=int, default=400,
                        help='number of crops (default: 400)')
    parser.add_argument('--size', type=int, default=128,
                        help='side of the crops in pixels (default: 128)')
    parser.add_argument('--seed', type=int, default=0, help='seed')
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
    settings = dict(num=args.num, size=args.size, seed=args.seed)
    try:
        return run_generator(
            args.out_dir,
            'set of non-face crops with the same settings',
            lambda: non_faces_complete(args.out_dir, **settings),
            lambda progress: generate_non_faces(
                args.out_dir, progress=progress, **settings),
            summary_keys=('num_images', ),
            force=args.force)
    except (ValueError, RuntimeError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
