"""Plot predicted against true scores of a test run.

Usage:
    python tools/test.py CONFIG CKPT --out preds.pkl
    python tools/analysis/plot_predictions.py preds.pkl --out-dir plots/
        [--prefix NAME_] [--bins 5] [--title TEXT]

Writes ``scatter.png`` (identity line, PLCC / SRCC in the title),
``errors.png`` (histogram of predicted - true) and ``error_per_bin.png``.
"""
import argparse
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.visualization.prediction_plots import (  # noqa: E402
    load_prediction_file, plot_predictions)


def main() -> int:
    parser = argparse.ArgumentParser(
        description='Plot predicted against true scores')
    parser.add_argument('predictions', help='tools/test.py --out file (.pkl)')
    parser.add_argument('--out-dir', required=True, help='folder of the PNGs')
    parser.add_argument('--prefix', default='', help='file name prefix')
    parser.add_argument('--bins', type=int, default=5,
                        help='bins of the true score (default: 5)')
    parser.add_argument('--title', default='', help='text of the titles')
    args = parser.parse_args()
    try:
        pred, true = load_prediction_file(args.predictions)
    except (OSError, ValueError) as err:
        print(f'error: {err}')
        return 1
    paths = plot_predictions(pred, true, args.out_dir, args.prefix,
                             args.bins, args.title)
    for path in paths.values():
        print(path)
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
