"""Pseudo-label unlabeled faces with a trained (teacher) model.

A thin command line over :func:`fbp_mm.apis.pseudo_label.pseudo_label`;
see that module for the output format, the logistic map and resuming.

Usage:
    python tools/pseudo_label.py CONFIG CHECKPOINT --unlabeled ROOT_OR_LIST
        --out OUT.csv [--unlabeled-root ROOT] [--fit-on LABELED_LIST]
        [--round R] [--force] [--cfg-options key=value ...]
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.apis.pseudo_label import main  # noqa: E402

if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
