"""Measure how a dataset frames its faces; print the face_preparation.

Usage:
    python tools/analysis/face_framing.py IMAGES [--detector DlibHogFace]
        [--min-size 40] [--min-score 0.3] [--limit 200]

IMAGES is a folder tree, a list file or one image. The printed
``face_preparation`` goes into the config of a model trained on these
images, so that ``tools/predict.py`` and ``FaceScoreInferencer`` cut faces
out of photos the way the training images frame them.
"""
import argparse
import json
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.faces import measure_face_framing  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description='Measure the face framing of a set of face crops')
    parser.add_argument('images', help='folder tree, list file or image')
    parser.add_argument('--detector', default='DlibHogFace',
                        help='HaarFace, DlibHogFace, DlibCnnFace')
    parser.add_argument('--min-size', type=int, default=40)
    parser.add_argument('--min-score', type=float, default=0.3)
    parser.add_argument('--limit', type=int, default=200,
                        help='images measured, evenly spaced (0: all)')
    args = parser.parse_args()
    detector = dict(type=args.detector, min_size=args.min_size)
    if args.detector.startswith('Dlib'):
        detector['min_score'] = args.min_score
    try:
        framing = measure_face_framing(args.images, detector,
                                       args.limit or None)
    except (OSError, ValueError) as err:
        print(f'error: {err}')
        return 1
    prep = framing.pop('face_preparation')
    print(json.dumps(framing))
    print(f'face_preparation = {prep!r}')
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
