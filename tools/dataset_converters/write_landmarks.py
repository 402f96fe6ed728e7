"""Write the 68 landmarks of every image of a folder to OUT/landmarks.txt.

Lines read ``<image> x0 y0 ... x67 y67`` (the image relative to the
folder; the 68-point order), the format of the synthetic demo faces'
``landmarks.txt``; images without a usable face are counted by reason. A
killed run resumes. See :func:`fbp_mm.faces.write_landmarks`.

Example:
    python tools/dataset_converters/write_landmarks.py \\
        data/SCUT-FBP5500_v2/Images data/SCUT-FBP5500_v2/landmarks
"""
import argparse
import json
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.faces.curation import OUTCOMES, write_landmarks  # noqa: E402
from fbp_mm.generators.cli import ProgressBarCallback  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description='Write 68-point landmarks for every image of a folder.')
    parser.add_argument('image_dir', help='image folder (recursive)')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--detector', default='DlibHogFace',
        choices=['HaarFace', 'DlibHogFace', 'DlibCnnFace'],
        help='face detector (default: DlibHogFace)')
    parser.add_argument('--min-size', type=int, default=0,
                        help='smallest face, pixels (default: 0)')
    parser.add_argument('--workers', type=int, default=0,
                        help='worker processes (default: 0)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the converter.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    try:
        report = write_landmarks(
            args.image_dir, args.out_dir, detector=dict(type=args.detector),
            min_size=args.min_size, workers=args.workers,
            progress=ProgressBarCallback())
    except (FileNotFoundError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    counts = report['counts']
    print(f'{report["num_images"]} images: ' + ', '.join(
        f'{k} {counts[k]}' for k in OUTCOMES[:-1] if k != 'low_score'))
    print(f'Landmarks: {report["landmarks_file"]}')
    print(json.dumps(counts))
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
