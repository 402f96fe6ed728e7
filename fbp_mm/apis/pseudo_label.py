"""Pseudo-label unlabeled faces with a trained (teacher) model.

:func:`pseudo_label` does the work; ``tools/pseudo_label.py`` (and
``python -m fbp_mm.apis.pseudo_label``) is its command line, and the recipe
stage ``pseudo_label`` calls it.

Usage:
    python tools/pseudo_label.py CONFIG CHECKPOINT --unlabeled ROOT_OR_LIST
        --out OUT.csv [--unlabeled-root ROOT] [--data-prefix P]
        [--batch-size 32] [--num-workers 0] [--chunk-size 256]
        [--device cpu] [--fit-on LABELED_LIST [--fit-root ROOT]]
        [--model-name NAME] [--round R] [--force] [--no-progress]
        [--cfg-options key=value ...]

The model of ``CONFIG`` (a plain regressor or a ``TeacherStudentDistiller``,
whose predictions come from its student) loads ``CHECKPOINT`` and scores
every image of ``--unlabeled``: a folder, scanned recursively for images,
or a list file with one image path per line, relative to the list's folder
(or to ``--unlabeled-root``). ``--data-prefix`` is a sub-folder of that root
holding the images. The images go through the config's test pipeline.

Output (``OUT.csv``): a header row ``image,score,raw_score,model,round``
then one row per image, in the order of the unlabeled set. ``image`` is
relative to the unlabeled root, so
``ScoreListDataset(ann_file='OUT.csv', data_root=ROOT)`` reads the file as
is. ``raw_score`` is the model's prediction; ``score`` equals it, unless
``--fit-on`` is given: then the model also predicts that labeled list
(``path score`` lines or a CSV, read by ``ScoreListDataset`` relative to
``--fit-root``, by default the list's folder), a 4-parameter logistic is
fitted from its raw predictions to its labels, and ``score`` is the raw
score passed through that logistic (an increasing map, so the order of the
raw scores is kept). The fit is saved beside the output as
``OUT.logistic.json``: ``params`` (beta1..beta4 for
``fbp_mm.evaluation.functional.map_scores``), ``n``, PLCC and MAE before
and after mapping, and the fallback reason when the logistic could not be
fitted and a linear map was used instead.

Resuming: raw scores are appended to ``OUT.csv.partial`` every
``--chunk-size`` images, each chunk flushed and fsync-ed. Its first line is
a ``#`` comment with the config, the checkpoint and the SHA-256 of the
checkpoint's content it belongs to (so rows of another model, even one
written to the same path, are never resumed), the second
the header ``image,raw_score``; a row counts only when its line is complete
(ends with a newline), so a write torn by a crash is dropped. Running the
same command again after an interruption reads that file, skips the images
already scored and goes on. When every image is scored the mapping is
applied, ``OUT.csv`` is written to a temporary file in the same folder and
moved into place with ``os.replace``, and the partial file is removed. If
``OUT.csv`` already lists exactly the images of the unlabeled set, the
tool says so and exits with 0, provided ``OUT.csv.source.json`` (written
with it) names the same config, checkpoint content and options;
``--force`` starts from scratch instead.

The tool runs in a single process on one device (``--device``); it is not
meant for ``torchrun`` / several processes writing the same output.

Example:
    DEMO=data/demo_faces
    SPLIT="$DEMO/train_test_files/split_of_60%training and 40%testing"
    python tools/pseudo_label.py \\
        configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py \\
        work_dirs/demo/epoch_20.pth \\
        --unlabeled $DEMO/unlabeled.txt --out $DEMO/pseudo_round1.csv \\
        --fit-on "$SPLIT/train.txt" --fit-root $DEMO/Images --round 1
"""
import argparse
import csv
import io
import json
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.config import DictAction

from ..datasets import ScoreListDataset, UnlabeledFaceDataset
from ..datasets.annotations import write_atomic
from ..evaluation.functional import map_scores, try_fit_logistic4
from ..utils.cfg_checks import check_device
from ..utils.hashing import file_sha256
from .face_score_inferencer import FaceScoreInferencer

OUTPUT_HEADER = ('image', 'score', 'raw_score', 'model', 'round')
PARTIAL_HEADER = ('image', 'raw_score')
PARTIAL_MAGIC = '# fbp_mm pseudo-label partial '
SCORE_FORMAT = '{:.9g}'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Pseudo-label unlabeled faces with a trained model '
        '(single process, resumable)')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--unlabeled',
        required=True,
        help='folder of images (scanned recursively) or a list file of '
        'image paths')
    parser.add_argument(
        '--out', required=True, help='output CSV (image,score,...)')
    parser.add_argument(
        '--unlabeled-root',
        help='folder the list paths are relative to (default: the folder '
        'of the list file, or --unlabeled itself when it is a folder)')
    parser.add_argument(
        '--data-prefix',
        default='',
        help='image sub-folder of the unlabeled root')
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--num-workers', type=int, default=0)
    parser.add_argument(
        '--chunk-size',
        type=int,
        default=256,
        help='images per append to OUT.partial (the resume granularity)')
    parser.add_argument('--device', default='cpu', help='cpu, cuda, cuda:1')
    parser.add_argument(
        '--fit-on',
        help='labeled list (txt "path score" or CSV) to fit the logistic '
        'map from raw predictions to the label scale')
    parser.add_argument(
        '--fit-root',
        help='folder the --fit-on image paths are relative to (default: '
        'the folder of the list)')
    parser.add_argument(
        '--model-name',
        help='value of the "model" column (default: config file name)')
    parser.add_argument(
        '--round', type=int, default=0, help='value of the "round" column')
    parser.add_argument(
        '--force',
        action='store_true',
        help='ignore an existing output or partial file and start over')
    parser.add_argument(
        '--no-progress', action='store_true', help='no progress bar')
    parser.add_argument(
        '--fuse', action='store_true',
        help='score with the network rewritten for inference (layer '
        'scales and ResNet batch norms folded, position encodings '
        'cached): faster for ConvNeXt, EdgeNeXt and ResNet models, '
        'scores equal up to float rounding')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, e.g. model.head.score_range=None')
    args = parser.parse_args(argv)
    if args.batch_size < 1 or args.chunk_size < 1:
        parser.error('--batch-size and --chunk-size must be positive')
    if args.fit_root and not args.fit_on:
        parser.error('--fit-root needs --fit-on')
    return args


class StalePartialError(RuntimeError):
    """A partial file written for another model, config or options."""


# --------------------------------------------------------------- inputs
def list_unlabeled(source: str,
                   root: Optional[str] = None,
                   data_prefix: str = '') -> Tuple[str, List[str]]:
    """List the unlabeled images, without duplicates.

    Args:
        source (str): A folder to scan or a list file.
        root (str, optional): Root of the list paths. Defaults to the
            list's folder (or ``source`` for a folder).
        data_prefix (str): Image sub-folder of the root.

    Returns:
        tuple[str, list[str]]: The root and the absolute image paths in
        dataset order.
    """
    if osp.isdir(source):
        root = osp.abspath(root or source)
        dataset = UnlabeledFaceDataset(data_root=root, data_prefix=data_prefix)
    elif osp.isfile(source):
        root = osp.abspath(root or osp.dirname(osp.abspath(source)))
        dataset = UnlabeledFaceDataset(
            data_root=root,
            ann_file=osp.abspath(source),
            data_prefix=data_prefix)
    else:
        raise FileNotFoundError(f'--unlabeled {source} does not exist.')
    paths = list(OrderedDict.fromkeys(dataset.get_image_paths()))
    dropped = len(dataset) - len(paths)
    if dropped:
        print(f'Warning: {dropped} duplicate image path(s) in {source} are '
              'labeled once.')
    return root, paths


def relative_to(path: str, root: str) -> str:
    """``path`` relative to ``root``, with ``/`` separators."""
    rel = osp.relpath(path, root)
    if rel.startswith('..'):
        raise ValueError(f'Image {path} is outside the root {root}.')
    return rel.replace(osp.sep, '/')


# --------------------------------------------------------------- files


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator='\n').writerows(rows)
    return buf.getvalue()


def start_partial(path: str, meta: dict,
                  rows: Sequence[Tuple[str, str]] = ()) -> None:
    """(Re)write the partial file: identity comment, header, ``rows``."""
    text = PARTIAL_MAGIC + json.dumps(meta, sort_keys=True) + '\n'
    write_atomic(path, text + _csv_text([PARTIAL_HEADER, *rows]))


def append_chunk(path: str, rows: Sequence[Tuple[str, str]]) -> None:
    """Append complete ``(image, raw_score)`` rows and fsync them.

    Tests replace this function to simulate a crash between chunks.
    """
    with open(path, 'a', encoding='utf-8', newline='') as f:
        f.write(_csv_text(rows))
        f.flush()
        os.fsync(f.fileno())


def read_partial(path: str, meta: dict,
                 wanted: Sequence[str]) -> Tuple[Dict[str, str], int]:
    """Read the raw scores saved by an interrupted run.

    Args:
        path (str): The partial file.
        meta (dict): Identity of this run; must equal the file's.
        wanted (Sequence[str]): Relative paths of the unlabeled set.

    Returns:
        tuple[dict[str, str], int]: ``image -> raw score text`` of the
        complete, valid rows for wanted images (first one per image), and
        the number of lines dropped (torn, malformed, duplicate or not in
        the set).
    """
    with open(path, encoding='utf-8', newline='') as f:
        lines = f.read().split('\n')
    first = lines[0] if len(lines) > 1 else ''
    if not first.startswith(PARTIAL_MAGIC):
        raise RuntimeError(f'{path} is not a partial file of this tool; '
                           'remove it or use --force.')
    saved = json.loads(first[len(PARTIAL_MAGIC):])
    if saved != meta:
        raise StalePartialError(
            f'{path} was written for {saved}, not for {meta}.')
    # The last element follows the last newline: empty, or a torn row.
    body, tail = lines[1:-1], lines[-1]
    wanted_set = set(wanted)
    done: Dict[str, str] = {}
    dropped = int(bool(tail))
    for i, line in enumerate(body):
        if i == 0 and tuple(next(csv.reader([line]), [])) == PARTIAL_HEADER:
            continue
        row = next(csv.reader([line]), [])
        ok = len(row) == 2 and row[0] in wanted_set and row[0] not in done
        if ok:
            try:
                ok = bool(np.isfinite(float(row[1])))
            except ValueError:
                ok = False
        if ok:
            done[row[0]] = row[1]
        else:
            dropped += 1
    return done, dropped


def read_output_images(path: str) -> Optional[List[str]]:
    """Image column of an existing output, or None if unreadable."""
    try:
        with open(path, encoding='utf-8', newline='') as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if not header or 'image' not in header:
                return None
            idx = header.index('image')
            return [row[idx] for row in reader if len(row) > idx]
    except (OSError, UnicodeDecodeError, csv.Error):
        return None


# --------------------------------------------------------------- fitting
def _plcc(a: np.ndarray, b: np.ndarray) -> Optional[float]:
    if a.size < 2 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def load_fit_set(fit_on: str, fit_root: Optional[str]) -> ScoreListDataset:
    """Read (and check) the labeled list used for the logistic fit."""
    if osp.isfile(fit_on):
        ann_file = osp.abspath(fit_on)
    elif fit_root and osp.isfile(osp.join(fit_root, fit_on)):
        ann_file = osp.abspath(osp.join(fit_root, fit_on))
    else:
        raise FileNotFoundError(f'--fit-on {fit_on} does not exist.')
    root = osp.abspath(fit_root or osp.dirname(ann_file))
    return ScoreListDataset(ann_file=ann_file, data_root=root)


def fit_mapping(model: FaceScoreInferencer,
                dataset: ScoreListDataset,
                batch_size: int = 32,
                num_workers: int = 0,
                progress: bool = True) -> dict:
    """Fit the logistic from raw predictions to labels of ``dataset``.

    Args:
        model (FaceScoreInferencer): The scoring model's inferencer
            (whole images, ``detect=False``).
        dataset (ScoreListDataset): The labeled list.
        batch_size (int): Images per batch. Defaults to 32.
        num_workers (int): Loader workers. Defaults to 0.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        dict: What is saved as ``OUT.logistic.json``.
    """
    print(f'Fitting the logistic map on {len(dataset)} labeled images of '
          f'{dataset.ann_file}')
    raw = []
    paths = [
        dataset.get_data_info(i)['img_path'] for i in range(len(dataset))
    ]
    for _, scores in model.iter_scores(
            paths,
            batch_size=batch_size,
            num_workers=num_workers,
            progress=progress):
        raw.append(_single_score(scores))
    pred = np.concatenate(raw).astype(np.float64)
    # Use the scores as they are written to the CSV, like the unlabeled
    # ones, so that the fit sees the same numbers it will map.
    pred = np.array([float(SCORE_FORMAT.format(v)) for v in pred])
    labels = np.array([s[0] for s in dataset.get_gt_scores()],
                      dtype=np.float64)
    params, reason = try_fit_logistic4(pred, labels)
    mapped = map_scores(pred, params)
    return dict(
        params=[float(p) for p in params],
        param_names=['beta1', 'beta2', 'beta3', 'beta4'],
        n=int(pred.size),
        plcc_raw=_plcc(pred, labels),
        plcc_mapped=_plcc(mapped, labels),
        mae_raw=float(np.mean(np.abs(pred - labels))),
        mae_mapped=float(np.mean(np.abs(mapped - labels))),
        fallback=reason,
        fit_on=dataset.ann_file,
        fit_root=dataset.data_root)


def _single_score(scores: np.ndarray) -> np.ndarray:
    if scores.shape[1] != 1:
        raise RuntimeError(
            'Pseudo-labels need one score per image; the model predicts '
            f'{scores.shape[1]}.')
    return scores[:, 0]


# --------------------------------------------------------------- main
def run_predictions(model: FaceScoreInferencer,
                    partial: str,
                    root: str,
                    todo: List[str],
                    batch_size: int = 32,
                    num_workers: int = 0,
                    chunk_size: int = 256,
                    progress: bool = True) -> int:
    """Predict ``todo`` (absolute paths), appending chunks to ``partial``.

    Returns:
        int: Number of rows appended.
    """
    buffer: List[Tuple[str, str]] = []
    written = 0
    for paths, scores in model.iter_scores(
            todo,
            batch_size=batch_size,
            num_workers=num_workers,
            progress=progress):
        for path, value in zip(paths, _single_score(scores)):
            buffer.append(
                (relative_to(path, root), SCORE_FORMAT.format(float(value))))
        while len(buffer) >= chunk_size:
            append_chunk(partial, buffer[:chunk_size])
            written += chunk_size
            buffer = buffer[chunk_size:]
    if buffer:
        append_chunk(partial, buffer)
        written += len(buffer)
    return written


def pseudo_label(config: str,
                 checkpoint: str,
                 unlabeled: str,
                 out: str,
                 unlabeled_root: Optional[str] = None,
                 data_prefix: str = '',
                 fit_on: Optional[str] = None,
                 fit_root: Optional[str] = None,
                 model_name: Optional[str] = None,
                 round: int = 0,
                 batch_size: int = 32,
                 num_workers: int = 0,
                 chunk_size: int = 256,
                 device: str = 'cpu',
                 force: bool = False,
                 progress: bool = True,
                 cfg_options: Optional[dict] = None,
                 fuse: bool = False) -> str:
    """Score an unlabeled set with a model and write the pseudo-label CSV.

    See the module docstring for the output, the logistic map and how an
    interrupted run resumes.

    Args:
        config (str): Model config file.
        checkpoint (str): Checkpoint of that model.
        unlabeled (str): A folder of images (scanned recursively) or a list
            file of image paths.
        out (str): Output CSV.
        unlabeled_root (str, optional): Root of the list paths. Defaults to
            the list's folder (or ``unlabeled`` itself for a folder).
        data_prefix (str): Image sub-folder of that root. Defaults to ''.
        fit_on (str, optional): Labeled list to fit the logistic map on.
        fit_root (str, optional): Root of the ``fit_on`` paths.
        model_name (str, optional): The ``model`` column. Defaults to the
            config file name.
        round (int): The ``round`` column. Defaults to 0.
        batch_size (int): Images per batch. Defaults to 32.
        num_workers (int): Loader workers. Defaults to 0.
        chunk_size (int): Images per append to the partial file (the
            resume granularity). Defaults to 256.
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'``. Defaults to
            ``'cpu'``.
        force (bool): Ignore an existing output or partial file. Defaults
            to False.
        progress (bool): Show progress bars. Defaults to True.
        cfg_options (dict, optional): Overrides of the config.
        fuse (bool): Score with the network rewritten for inference
            (``FaceScoreInferencer(fuse=True)``): the scores change by
            float rounding only, and a partial file of an unfused run is
            not resumed by a fused one (nor the other way round). Defaults
            to False.

    Returns:
        str: The absolute path of the output CSV.

    Example:
        >>> from fbp_mm.apis.pseudo_label import pseudo_label
        >>> # pseudo_label('configs/fiqa/demo/...teacher.py',
        >>> #              'work_dirs/teacher/best_srcc_epoch_9.pth',
        >>> #              'data/fiqa_demo/unlabeled_1.txt',
        >>> #              'work_dirs/pseudo_u1.csv',
        >>> #              unlabeled_root='data/fiqa_demo/images',
        >>> #              fit_on='data/fiqa_demo/train.csv')
    """
    if batch_size < 1 or chunk_size < 1:
        raise ValueError('batch_size and chunk_size must be positive.')
    if fit_root and not fit_on:
        raise ValueError('fit_root needs fit_on.')
    out = osp.abspath(out)
    partial = out + '.partial'
    logistic_file = osp.splitext(out)[0] + '.logistic.json'
    source_file = out + '.source.json'
    name = model_name or osp.splitext(osp.basename(config))[0]
    os.makedirs(osp.dirname(out), exist_ok=True)

    root, abs_paths = list_unlabeled(unlabeled, unlabeled_root, data_prefix)
    rel_paths = [relative_to(p, root) for p in abs_paths]
    print(f'{len(rel_paths)} unlabeled images under {root}')
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'Checkpoint {checkpoint} does not exist.')
    meta = dict(
        config=osp.abspath(config),
        checkpoint=osp.abspath(checkpoint),
        checkpoint_sha256=file_sha256(checkpoint),
        cfg_options=cfg_options or {})
    if fuse:  # older partial and source files stay valid without it
        meta['fuse'] = True
    meta = json.loads(json.dumps(meta))  # as read back from the file

    if osp.isfile(out) and not force:
        existing = read_output_images(out)
        same_model = _read_json(source_file) == meta
        if existing is not None and len(existing) == len(set(existing)) \
                and set(existing) == set(rel_paths) and same_model:
            print(f'{out} is already complete ({len(existing)} images); '
                  'nothing to do (use --force to label again).')
            return out
        print(f'{out} exists but does not match the unlabeled set or the '
              'model; it will be replaced.')
    if force and osp.exists(partial):
        os.remove(partial)

    fit_set = load_fit_set(fit_on, fit_root) if fit_on else None
    check_device(device)
    model = FaceScoreInferencer(
        config, checkpoint, device=device, detect=False,
        cfg_options=cfg_options, fuse=fuse)

    done: Dict[str, str] = {}
    if osp.exists(partial):
        try:
            done, dropped = read_partial(partial, meta, rel_paths)
        except StalePartialError as err:
            print(f'{err} Starting over.')
            done, dropped = {}, 0
        else:
            print(f'Resuming from {partial}: {len(done)} images already '
                  'scored' +
                  (f', {dropped} line(s) dropped' if dropped else ''))
    # Rewrite the partial with the valid rows only, so that new rows are
    # appended after a complete line.
    start_partial(partial, meta, [(p, done[p]) for p in rel_paths
                                  if p in done])
    todo = [a for a, r in zip(abs_paths, rel_paths) if r not in done]
    print(f'{len(todo)} images to score, {len(done)} done, chunks of '
          f'{chunk_size} appended to {partial}')
    if todo:
        run_predictions(model, partial, root, todo, batch_size, num_workers,
                        chunk_size, progress)

    done, dropped = read_partial(partial, meta, rel_paths)
    missing = [p for p in rel_paths if p not in done]
    if missing or dropped:
        raise RuntimeError(
            f'{partial} is inconsistent ({len(missing)} missing, {dropped} '
            'bad lines); run again to finish it.')
    raw_text = [done[p] for p in rel_paths]
    raw = np.array([float(v) for v in raw_text])

    if fit_set is not None:
        fit = fit_mapping(model, fit_set, batch_size, num_workers, progress)
        if fit['fallback']:
            print(f'Warning: logistic fit fell back to a linear map: '
                  f'{fit["fallback"]}')
        beta1, beta2 = fit['params'][:2]
        if beta1 < beta2:
            raise RuntimeError(
                'The fitted map is decreasing (the raw predictions '
                f'anti-correlate with the labels, PLCC {fit["plcc_raw"]}); '
                'it would reverse the order of the scores. Check the '
                'checkpoint and --fit-on. Raw scores are kept in '
                f'{partial}.')
        print('Logistic map: params {}, PLCC {} -> {}, MAE {:.4f} -> '
              '{:.4f} (n={})'.format(
                  ', '.join(f'{p:.6g}' for p in fit['params']),
                  fit['plcc_raw'], fit['plcc_mapped'], fit['mae_raw'],
                  fit['mae_mapped'], fit['n']))
        fit.update(
            config=meta['config'],
            checkpoint=meta['checkpoint'],
            checkpoint_sha256=meta['checkpoint_sha256'],
            model=name,
            round=round,
            output=out)
        write_atomic(logistic_file, json.dumps(fit, indent=2) + '\n')
        scores = [SCORE_FORMAT.format(v) for v in map_scores(raw, fit[
            'params'])]
    else:
        scores = raw_text

    rows = [OUTPUT_HEADER] + [
        (img, score, raw_score, name, str(round))
        for img, score, raw_score in zip(rel_paths, scores, raw_text)
    ]
    write_atomic(source_file, json.dumps(meta, indent=2) + '\n')
    write_atomic(out, _csv_text(rows))
    os.remove(partial)
    print(f'Wrote {len(rel_paths)} pseudo-labels to {out}' +
          (f' (logistic map: {logistic_file})' if fit_set else ''))
    return out


def _read_json(path: str) -> Optional[dict]:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line; ``argv`` defaults to ``sys.argv[1:]``.

    Returns:
        int: The exit status (0 on success or when already complete).
    """
    args = parse_args(argv)
    try:
        check_device(args.device)
    except ValueError as err:  # before any model is built
        print(f'error: {err}')
        return 1
    pseudo_label(
        args.config,
        args.checkpoint,
        args.unlabeled,
        args.out,
        unlabeled_root=args.unlabeled_root,
        data_prefix=args.data_prefix,
        fit_on=args.fit_on,
        fit_root=args.fit_root,
        model_name=args.model_name,
        round=args.round,
        batch_size=args.batch_size,
        num_workers=args.num_workers,
        chunk_size=args.chunk_size,
        device=args.device,
        force=args.force,
        progress=not args.no_progress,
        cfg_options=args.cfg_options,
        fuse=args.fuse)
    return 0


if __name__ == '__main__':
    import fbp_mm  # noqa: F401  (registers modules)
    raise SystemExit(main())
