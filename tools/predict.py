"""Score the faces of images, a folder or a list with a trained model.

A thin command line over :class:`fbp_mm.apis.FaceScoreInferencer`; see
:mod:`fbp_mm.apis.predict_cli` for the output.

Usage:
    python tools/predict.py CONFIG CHECKPOINT IMAGE_OR_FOLDER_OR_LIST ...
        --out faces.csv [--show-dir pictures/] [--no-detect]
        [--batch-size 32] [--device cpu] [--cfg-options key=value ...]
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.apis.predict_cli import main  # noqa: E402

if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
