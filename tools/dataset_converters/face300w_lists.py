"""Write the image lists of the 300W protocol into the 300W folder.

``train.txt`` (afw, helen/trainset, lfpw/trainset: 3,148 images),
``common.txt`` (helen/testset, lfpw/testset: 554), ``challenging.txt``
(ibug: 135), ``full.txt`` (common + challenging: 689) and, when the 300-W
test folders ``300W/01_Indoor`` / ``02_Outdoor`` are there, ``private.txt``
(600): the lists ``Face300W`` and ``configs/pros/*_300w.py`` read. Only
images with a ``.pts`` file beside them are listed. See
:func:`fbp_mm.datasets.landmark_lists.write_300w_lists`.

Example:
    python tools/dataset_converters/face300w_lists.py data/300W
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.datasets.landmark_lists import write_300w_lists  # noqa: E402


def main(argv=None) -> int:
    """Run the converter.

    Args:
        argv (list[str], optional): Arguments; ``sys.argv[1:]`` if None.

    Returns:
        int: Exit status.
    """
    parser = argparse.ArgumentParser(
        description='Write the 300W protocol lists (train, common, '
        'challenging, full, private) into the 300W folder.')
    parser.add_argument('root', help='the 300W folder (afw/, helen/, lfpw/, '
                        'ibug/)')
    args = parser.parse_args(argv)
    try:
        report = write_300w_lists(args.root)
    except FileNotFoundError as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    for name, item in report.items():
        note = '' if item['images'] == item['expected'] else \
            f' (the release has {item["expected"]})'
        skipped = f', {item["skipped"]} without a .pts left out' \
            if item['skipped'] else ''
        print(f'{item["file"]}: {item["images"]} images{note}{skipped}')
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
