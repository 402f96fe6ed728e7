"""Write subject-exclusive AU fold lists from BP4D's or DISFA's labels.

BP4D: the occurrence CSVs ``AUCoding/AU_OCC/<subject>_<task>.csv``;
DISFA: the intensity files ``ActionUnit_Labels/<subject>/<subject>_au<N>.txt``
(present where the intensity is at least ``--threshold``). Writes
``OUT_DIR/fold1.txt`` ... (frames with an AU coded 9, not coded, left out
unless ``--unknown absent|keep``) in the format of ``AUOccurrenceList``
(header ``image AU1 AU2 ...``, then one row per frame), the lists that
``configs/face_prior/*_bp4d-au.py`` / ``*_disfa-au.py`` read. The folds
are by default the subject-exclusive 3-fold split of the AU literature
(``fbp_mm.datasets.au_label_conversion.PUBLISHED_FOLDS``); ``--folds FILE``
reads others (one fold per line, its subjects separated by spaces) and
``--folds seeded`` draws them over the subjects (``--num-folds``,
``--seed``). See
:func:`fbp_mm.datasets.au_label_conversion.convert_au_labels`.

Examples:
    python tools/dataset_converters/au_lists.py bp4d \\
        data/BP4D/AUCoding/AU_OCC data/BP4D/lists \\
        --image-root data/BP4D/images
    python tools/dataset_converters/au_lists.py disfa \\
        data/DISFA/ActionUnit_Labels data/DISFA/lists \\
        --image-root data/DISFA/images
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.datasets.annotations import AnnotationError  # noqa: E402
from fbp_mm.datasets.au_label_conversion import (  # noqa: E402
    DEFAULT_PATTERNS, convert_au_labels, read_fold_file)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        argparse.Namespace: The parsed options.
    """
    parser = argparse.ArgumentParser(
        description="Write AU fold lists from BP4D's or DISFA's labels.")
    parser.add_argument('dataset', choices=sorted(DEFAULT_PATTERNS))
    parser.add_argument('label_dir', help="BP4D's AUCoding/AU_OCC or "
                        "DISFA's ActionUnit_Labels")
    parser.add_argument('out_dir', help='folder of fold1.txt ...')
    parser.add_argument('--folds', default='published',
                        help="'published' (default: the 3-fold subject "
                        "split of the AU literature), 'seeded' (drawn, "
                        '--num-folds, --seed) or a fold file: one fold per '
                        'line, its subjects separated by spaces')
    parser.add_argument('--num-folds', type=int, default=3,
                        help='folds drawn with --folds seeded (default: 3)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the drawn folds (default: 0)')
    parser.add_argument('--image-root', help='leave out frames without an '
                        'image here (the configs\' data_root/images)')
    parser.add_argument('--pattern', help='image path of a frame, fields '
                        '{subject}, {task}, {frame} (default: bp4d '
                        f'{DEFAULT_PATTERNS["bp4d"]!r}, disfa '
                        f'{DEFAULT_PATTERNS["disfa"]!r})')
    parser.add_argument('--aus', nargs='+', help='AUs to write (default: '
                        'the 12 of BP4D / the 8 of DISFA)')
    parser.add_argument('--threshold', type=int, default=2,
                        help='DISFA intensity counted as present '
                        '(default: 2)')
    parser.add_argument('--unknown', choices=['drop', 'absent', 'keep'],
                        default='drop', help='a frame with an AU coded 9 '
                        '(not coded): left out (default), written 0, or '
                        'written 9 (then read with unknown_as=0)')
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
        folds = args.folds if args.folds in ('published', 'seeded') \
            else read_fold_file(args.folds)
        report = convert_au_labels(
            args.dataset, args.label_dir, args.out_dir, folds=folds,
            num_folds=args.num_folds, seed=args.seed,
            image_root=args.image_root, pattern=args.pattern, aus=args.aus,
            threshold=args.threshold, unknown=args.unknown)
    except (FileNotFoundError, ValueError, AnnotationError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    if args.folds == 'seeded':
        print(f'folds drawn over the subjects (seed {args.seed}); published '
              'results use the published folds (--folds published)')
    for fold in report:
        rates = ' '.join(f'{au} {share:.3f}'
                         for au, share in fold['present'].items())
        missing = (f', {fold["missing_images"]} without an image (left '
                   'out)' if fold['missing_images'] else '')
        if fold['unknown_frames']:
            missing += (f', {fold["unknown_frames"]} with an AU coded 9 '
                        + ('(left out)' if args.unknown == 'drop' else
                           f'(--unknown {args.unknown})'))
        print(f'{fold["file"]}: {len(fold["subjects"])} subjects '
              f'({" ".join(fold["subjects"])}), {fold["frames"]} frames'
              f'{missing}; present: {rates}')
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
