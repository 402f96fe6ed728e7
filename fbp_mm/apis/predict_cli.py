# Copyright (c) fbp_mm contributors. All rights reserved.
"""``tools/predict.py``: score the faces of images, a folder or a list.

Writes one CSV row per face (``--out x.csv``) or the inferencer's results
as JSON (``--out x.json``); an image without a face gets one row with its
status and empty face fields; files that are not images are reported and
skipped. ``--show-dir`` writes each image with its boxes and scores.
"""
import argparse
import csv
import json
import os
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.config import DictAction

from ..datasets.annotations import read_path_list
from ..utils.cfg_checks import check_device
from .face_score_inferencer import FaceScoreInferencer

__all__ = ['parse_args', 'main', 'read_inputs', 'write_csv']


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Score the faces of images with a trained model')
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        'inputs', nargs='+',
        help='images, folders (searched recursively) or .txt lists (one '
        'path per line, relative to the list)')
    parser.add_argument('--out', required=True,
                        help='results file: .csv (a row per face) or .json')
    parser.add_argument('--show-dir',
                        help='write each image with its boxes and scores')
    parser.add_argument(
        '--no-detect', action='store_true',
        help='score each image whole (the images are face crops already)')
    parser.add_argument('--batch-size', type=int, default=32,
                        help='faces per forward pass (default: 32)')
    parser.add_argument('--device', default='cpu',
                        help='device of the model (default: cpu)')
    parser.add_argument(
        '--fuse', action='store_true',
        help='rewrite the network for inference first (layer scales '
        'and ResNet batch norms folded, position encodings cached; '
        'scores change by float rounding only): faster for ConvNeXt, '
        'EdgeNeXt and ResNet models')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, key=value')
    return parser.parse_args(argv)


def read_inputs(items: Sequence[str]) -> List[str]:
    """Expand ``.txt`` lists into their paths; folders and images stay.

    Raises:
        FileNotFoundError: Naming an input that does not exist, or the
            list file and line of a listed path that does not.
    """
    inputs = []
    for item in items:
        if not osp.exists(item):
            raise FileNotFoundError(f'{item}: no such file or folder')
        if osp.isfile(item) and item.lower().endswith('.txt'):
            inputs.extend(read_path_list(item, must_exist=True))
        else:
            inputs.append(item)
    return inputs


def write_csv(results: List[dict], out: str) -> None:
    """One row per face: image, face index, box, detection score, the
    scores and the image's status (a face-less image: one row)."""
    outputs = max((len(f['pred_score']) for r in results
                   for f in r['faces']), default=1)
    score_cols = ['score'] + [f'score_{i}' for i in range(1, outputs)]
    with open(out, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['image', 'face', 'x1', 'y1', 'x2', 'y2',
                         'detection_score'] + score_cols + ['status'])
        for result in results:
            if not result['faces']:
                writer.writerow([result['img_path'], '', '', '', '', '', ''] +
                                [''] * outputs + [result['status']])
            for index, face in enumerate(result['faces']):
                det = face['detection_score']
                writer.writerow(
                    [result['img_path'], index] +
                    [f'{v:.1f}' for v in face['box']] +
                    ['' if det is None else f'{det:.4f}'] +
                    [f'{v:.6f}' for v in face['pred_score']] +
                    [result['status']])


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if not args.out.lower().endswith(('.csv', '.json')):
        print(f'error: --out {args.out}: write .csv or .json; nothing was '
              'run')
        return 1
    try:
        check_device(args.device)
        inputs = read_inputs(args.inputs)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}')
        return 1
    inferencer = FaceScoreInferencer(
        args.config, args.checkpoint, device=args.device,
        detect=not args.no_detect, cfg_options=args.cfg_options,
        fuse=args.fuse)
    results = inferencer(inputs, batch_size=args.batch_size, progress=True,
                         show_dir=args.show_dir)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    if args.out.lower().endswith('.csv'):
        write_csv(results, args.out)
    else:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)
    skipped = [r for r in results if r['status'] not in ('ok', 'no face')]
    for r in skipped:
        print(f'{r["img_path"]}: {r["status"]}')
    faces = sum(len(r['faces']) for r in results)
    no_face = sum(r['status'] == 'no face' for r in results)
    print(f'{faces} faces in {len(results) - len(skipped)} images '
          f'({no_face} without a face, {len(skipped)} skipped) -> '
          f'{args.out}' + (f', pictures in {args.show_dir}'
                           if args.show_dir else ''))
    return 0
