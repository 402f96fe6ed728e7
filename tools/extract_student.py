"""Write the student of a distiller checkpoint as a plain model checkpoint.

Usage:
    python tools/extract_student.py IN_CKPT OUT_CKPT

``IN_CKPT`` is a checkpoint of ``TeacherStudentDistiller`` (its state dict
holds ``student.*``, ``teacher.*`` and connector weights). ``OUT_CKPT``
keeps only the ``student.*`` weights with the prefix removed, so the
student's own config loads it (``load_from``, ``tools/test.py CONFIG
OUT_CKPT``, deployment). Checkpoints are trusted files: they are read with
``weights_only=False``.
"""
import argparse
import os
import os.path as osp
import sys
from collections import OrderedDict

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import torch  # noqa: E402

import fbp_mm  # noqa: E402,F401  (registers modules, checkpoint loading)

PREFIX = 'student.'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Extract the student from a distiller checkpoint')
    parser.add_argument('in_ckpt', help='distiller checkpoint')
    parser.add_argument('out_ckpt', help='output student checkpoint')
    return parser.parse_args()


def extract_student(in_ckpt: str, out_ckpt: str) -> int:
    """Write the student weights of ``in_ckpt`` to ``out_ckpt``.

    Args:
        in_ckpt (str): Distiller checkpoint.
        out_ckpt (str): Where to write ``{'state_dict', 'meta'}``.

    Returns:
        int: Number of tensors written.

    Raises:
        KeyError: If the checkpoint has no ``student.`` weights.
    """
    ckpt = torch.load(in_ckpt, map_location='cpu', weights_only=False)
    state_dict = ckpt.get('state_dict', ckpt) if isinstance(ckpt,
                                                            dict) else ckpt
    student = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('module.'):
            key = key[len('module.'):]
        if key.startswith(PREFIX):
            student[key[len(PREFIX):]] = value
    if not student:
        roots = sorted({k.split('.', 1)[0] for k in state_dict})
        raise KeyError(f'{in_ckpt} has no {PREFIX!r} weights (top-level '
                       f'keys: {roots}); is it a distiller checkpoint?')
    meta = dict(ckpt.get('meta') or {}) if isinstance(ckpt, dict) else {}
    meta['extracted_from'] = in_ckpt
    out_dir = osp.dirname(osp.abspath(out_ckpt))
    os.makedirs(out_dir, exist_ok=True)
    torch.save({'state_dict': student, 'meta': meta}, out_ckpt)
    return len(student)


def main() -> None:
    args = parse_args()
    try:
        count = extract_student(args.in_ckpt, args.out_ckpt)
    except KeyError as err:
        sys.exit(f'error: {err.args[0]}')
    print(f'Wrote {count} student tensors to {args.out_ckpt}')


if __name__ == '__main__':
    main()
