"""Keep the images of a pool that show a face, as aligned crops.

Scans a folder tree (or a list file), detects faces, keeps the images whose
best face is large and confident enough, writes aligned crops to
``OUT/crops/`` and lists them in ``OUT/faces.txt`` (for
``UnlabeledFaceDataset(data_root=OUT, ann_file='faces.txt')``), with
kept / dropped counts by reason. A killed run resumes where it stopped.
See :mod:`fbp_mm.faces.curation`.

Example:
    python tools/curate_faces.py data/raw_photos data/curated_faces \\
        --detector DlibHogFace --min-size 60 --workers 2
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.faces.curation import OUTCOMES, curate_faces  # noqa: E402
from fbp_mm.generators.cli import ProgressBarCallback  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description='Keep the images that show a face, as aligned crops '
        'and a list file.')
    parser.add_argument('source', help='image folder (searched '
                        'recursively) or a list file of image paths')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument(
        '--detector',
        default='DlibHogFace',
        choices=['HaarFace', 'DlibHogFace', 'DlibCnnFace'],
        help='face detector (default: DlibHogFace)')
    parser.add_argument(
        '--min-size', type=int, default=40,
        help='smallest face kept, shorter box side in pixels (default: 40)')
    parser.add_argument(
        '--min-score', type=float, default=0.0,
        help="lowest detector score kept, in the detector's scale "
        '(default: 0)')
    parser.add_argument(
        '--size', type=int, default=112,
        help='side of the written crops (default: 112)')
    parser.add_argument(
        '--margin', type=float, default=0.2,
        help='context around the aligned face (default: 0.2)')
    parser.add_argument(
        '--no-align', action='store_true',
        help='crop the detected box instead of aligning on landmarks')
    parser.add_argument(
        '--workers', type=int, default=0,
        help='worker processes (default: 0, this process)')
    parser.add_argument(
        '--seeds', help='retrieval: folder (or list) of face crops; keep '
        'only faces whose embedding is near them')
    parser.add_argument(
        '--embed-model', help='retrieval: config file or MMPretrain model '
        'name that embeds the crops')
    parser.add_argument(
        '--embed-checkpoint', help='retrieval: weights of --embed-model')
    parser.add_argument(
        '--knn', type=int, default=5,
        help='retrieval: nearest seeds averaged (default: 5)')
    parser.add_argument(
        '--min-similarity', type=float, default=0.5,
        help='retrieval: lowest mean cosine similarity kept (default: 0.5)')
    parser.add_argument(
        '--keep-tree', action='store_true',
        help='write each crop at its image\'s path under OUT/crops (e.g. '
        'video frames F001/T1/0001.jpg named by AU label lists)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Run the curation.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        int: Exit status.
    """
    args = parse_args(argv)
    retrieval = None
    if args.seeds or args.embed_model:
        if not (args.seeds and args.embed_model):
            print('error: retrieval needs both --seeds and --embed-model',
                  file=sys.stderr)
            return 1
        retrieval = dict(seeds=args.seeds, model=args.embed_model,
                         checkpoint=args.embed_checkpoint, k=args.knn,
                         min_similarity=args.min_similarity)
    try:
        report = curate_faces(
            args.source, args.out_dir, detector=dict(type=args.detector),
            min_size=args.min_size, min_score=args.min_score,
            size=args.size, margin=args.margin, align=not args.no_align,
            workers=args.workers, progress=ProgressBarCallback(),
            retrieval=retrieval, keep_tree=args.keep_tree)
    except (FileNotFoundError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    counts = report['counts']
    if report['resumed']:
        print(f'{report["resumed"]} images were done by an earlier run.')
    print(f'{report["num_images"]} images: ' + ', '.join(
        f'{k} {counts[k]}' for k in OUTCOMES))
    for path in report['unreadable']:
        print(f'unreadable, skipped: {path}')
    print(f'List of the kept faces: {report["list_file"]}')
    print(json.dumps(counts))
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
