"""A local web page: drop a photo, see each face with its scores.

Needs Gradio (``pip install -r requirements/web.txt``). Each ``--model
NAME CONFIG CHECKPOINT`` adds a score column (CHECKPOINT may be a run
folder: its ``best_*.pth`` is used), e.g. after ``make demo``::

    python tools/web_demo.py --model beauty \\
        configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py \\
        work_dirs/fbp_demo/cnn_scratch [--model quality CONFIG CKPT]

then open http://127.0.0.1:7860 in a browser.
"""
import argparse
import glob
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.apis import FaceScoreInferencer  # noqa: E402
from fbp_mm.apis.web_demo import build_demo  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        '--model', nargs=3, action='append', required=True,
        metavar=('NAME', 'CONFIG', 'CHECKPOINT'),
        help='a score column: its name, config and checkpoint')
    parser.add_argument('--port', type=int, default=7860)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args()
    scorers = {}
    for name, config, checkpoint in args.model:
        if osp.isdir(checkpoint):
            best = sorted(glob.glob(osp.join(checkpoint, 'best_*.pth')))
            checkpoint = best[-1] if best else checkpoint
        if not osp.isfile(checkpoint):
            print(f'error: {checkpoint}: no checkpoint there (`make demo` '
                  'makes the demo checkpoints)')
            return 1
        scorers[name] = FaceScoreInferencer(
            config, checkpoint, device=args.device)
    build_demo(scorers).launch(server_name='127.0.0.1',
                               server_port=args.port)
    return 0


if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
