"""Write the student of a distiller checkpoint as a plain model checkpoint.

Usage:
    python tools/extract_student.py IN_CKPT OUT_CKPT [--out-config PY]
        [--config DISTILLER_CONFIG]

``IN_CKPT`` is a checkpoint of ``TeacherStudentDistiller``. ``OUT_CKPT``
keeps only the student's weights (prefix ``student.`` removed) and, in
``meta['cfg']``, the student's plain config; ``--out-config`` also writes
that config as a file, so ``python tools/test.py PY OUT_CKPT`` evaluates the
student. The logic is
:func:`fbp_mm.models.distillers.extract_student_checkpoint`. Checkpoints are
trusted files: they are read with ``weights_only=False``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.models.distillers import extract_student_checkpoint  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Extract the student from a distiller checkpoint')
    parser.add_argument('in_ckpt', help='distiller checkpoint')
    parser.add_argument('out_ckpt', help='output student checkpoint')
    parser.add_argument(
        '--out-config',
        help="also write the student's config to this .py file")
    parser.add_argument(
        '--config',
        help="the distiller's config, for checkpoints without meta['cfg']")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        count, cfg = extract_student_checkpoint(
            args.in_ckpt, args.out_ckpt, cfg=args.config,
            config_out=args.out_config)
    except (KeyError, ValueError, FileNotFoundError) as err:
        sys.exit(f'error: {err.args[0] if err.args else err}')
    print(f'Wrote {count} student tensors to {args.out_ckpt}')
    if cfg is None:
        print('warning: the checkpoint carries no config; pass --config '
              "DISTILLER_CONFIG to store the student's config with it.")
    elif args.out_config:
        print(f"Wrote the student's config to {args.out_config}")


if __name__ == '__main__':
    freeze_objects_at_exit()
    main()
