# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face-aware curation of an unlabeled image pool.

:func:`curate_faces` reads every image of a folder tree (or a list), keeps
those with a face large and confident enough, writes each kept face as an
aligned crop and lists the crops in ``faces.txt``, a list file for
:class:`fbp_mm.datasets.UnlabeledFaceDataset`
(``data_root=OUT, ann_file='faces.txt'``).

Every input image gets one line in ``curation.jsonl`` (its outcome:
``kept``, ``no_face``, ``too_small``, ``low_score`` or ``unreadable``, with
the box, score and landmarks of a kept face). The line is written after
the crop, so a run that is killed resumes where it stopped, without
duplicates: images already in the journal are not read again, and one
whose crop was written but not recorded is simply done again.

Example:
    >>> # report = curate_faces('data/raw_faces', 'data/curated',
    >>> #                       detector=dict(type='DlibHogFace'),
    >>> #                       min_size=60, workers=2)
    >>> # report['counts']   # {'kept': ..., 'no_face': ..., ...}
"""
import hashlib
import json
import os
import os.path as osp
from collections import Counter
from multiprocessing import get_context
from typing import Callable, Dict, List, Optional, Sequence, Union

import cv2
import numpy as np

from ..datasets.annotations import read_path_list
from ..generators.degraded_faces import find_source_images
from .align import align_face
from .detectors import build_face_detector
from .landmarks import DlibLandmarkPredictor

__all__ = ['OUTCOMES', 'find_images', 'curate_faces', 'write_landmarks']

#: Per-image outcomes, in report order.
OUTCOMES = ('kept', 'no_face', 'too_small', 'low_score', 'unreadable',
            'far_from_seeds')
JOURNAL = 'curation.jsonl'
LIST_FILE = 'faces.txt'
REPORT = 'report.json'
SETTINGS = 'settings.json'


def find_images(source: str) -> List[str]:
    """The image paths under a folder (recursively, sorted, as
    :func:`fbp_mm.generators.find_source_images`) or in a list.

    Args:
        source (str): A folder, or a text file with one image path per line
            (relative paths are relative to the list's folder; ``#``
            comments and empty lines are skipped).

    Returns:
        list[str]: Absolute paths.

    Raises:
        FileNotFoundError: When ``source`` does not exist.
    """
    if osp.isdir(source):
        return [osp.abspath(osp.join(source, p))
                for p in find_source_images(source)]
    if not osp.isfile(source):
        raise FileNotFoundError(f'No folder or list file at {source}')
    return read_path_list(source)


class _Worker:
    """What one process needs: the detector, predictor and thresholds."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.detector = build_face_detector(cfg['detector'])
        self.predictor = DlibLandmarkPredictor(68) if cfg['align'] else None

    def __call__(self, path: str) -> dict:
        cfg = self.cfg
        record = dict(image=path, outcome='unreadable')
        try:
            img = cv2.imread(path, cv2.IMREAD_COLOR)
        except cv2.error:
            img = None
        if img is None:
            return record
        faces = self.detector.detect(img)
        if not faces:
            record['outcome'] = 'no_face'
            return record
        best = faces[0]
        record.update(box=[round(v, 1) for v in best.box],
                      score=round(best.score, 4))
        if best.score < cfg['min_score']:
            record['outcome'] = 'low_score'
            return record
        if best.size < cfg['min_size']:
            record['outcome'] = 'too_small'
            return record
        if self.predictor is not None:
            points = self.predictor.predict(img, best)
            record['landmarks'] = np.round(points, 2).tolist()
        if not cfg.get('crops', True):  # landmarks only
            record['outcome'] = 'kept'
            return record
        if cfg.get('tree_root'):  # the source's own relative path
            rel = osp.join('crops', osp.relpath(path, cfg['tree_root']))
        else:
            # named after the input path, so that a grown source tree never
            # renames an earlier crop
            digest = hashlib.sha1(path.encode()).hexdigest()[:10]
            stem = osp.splitext(osp.basename(path))[0]
            rel = osp.join('crops', f'{stem}_{digest}.png')
        if self.predictor is not None:
            crop, _ = align_face(img, points, cfg['size'], cfg['margin'])
        else:
            x1, y1, x2, y2 = (int(round(v)) for v in best.box)
            crop = img[max(y1, 0):y2, max(x1, 0):x2]
            crop = cv2.resize(crop, (cfg['size'], cfg['size']))
        out = osp.join(cfg['out_dir'], rel)
        os.makedirs(osp.dirname(out), exist_ok=True)
        stem, ext = osp.splitext(out)
        tmp = f'{stem}.tmp{ext}'
        cv2.imwrite(tmp, crop)
        os.replace(tmp, out)
        record.update(outcome='kept', crop=rel)
        return record


_WORKER: Optional[_Worker] = None


def _init_worker(cfg: dict) -> None:
    global _WORKER
    _WORKER = _Worker(cfg)


def _run_one(item) -> dict:
    return _WORKER(item)


def _read_journal(path: str) -> Dict[str, dict]:
    done: Dict[str, dict] = {}
    if not osp.isfile(path):
        return done
    with open(path) as f:
        for line in f:
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line cut by a kill
            done[record['image']] = record
    return done


def _check_settings(out_dir: str, settings: dict) -> None:
    path = osp.join(out_dir, SETTINGS)
    if osp.isfile(path):
        with open(path) as f:
            stored = json.load(f)
        if stored != settings:
            changed = sorted(k for k in set(stored) | set(settings)
                             if stored.get(k) != settings.get(k))
            names = ', '.join(changed)
            raise ValueError(
                f'{out_dir} was curated with other settings ({names}: '
                f'{[stored.get(k) for k in changed]} there, '
                f'{[settings.get(k) for k in changed]} now); use another '
                'output folder or delete this one.')
        return
    with open(path, 'w') as f:
        json.dump(settings, f, indent=2)


def _write_report(out_dir: str, records: List[dict], resumed: int,
                  **extra) -> dict:
    counts = Counter(r['outcome'] for r in records)
    report = dict(
        num_images=len(records),
        counts={k: counts.get(k, 0) for k in OUTCOMES},
        resumed=resumed,
        unreadable=[
            r['image'] for r in records if r['outcome'] == 'unreadable'
        ],
        journal=osp.join(out_dir, JOURNAL),
        **extra)
    with open(osp.join(out_dir, REPORT), 'w') as f:
        json.dump(report, f, indent=2)
    return report


def _retrieve(records: List[dict], out_dir: str, cfg: dict) -> None:
    """Mark the kept faces far from the seed crops ``far_from_seeds``."""
    from .retrieval import embed_images, knn_scores
    kept = [r for r in records if r['outcome'] == 'kept']
    seeds = find_images(cfg.pop('seeds'))
    if not seeds:
        raise ValueError('retrieval: the seed set holds no images')
    threshold = float(cfg.pop('min_similarity', 0.5))
    k = int(cfg.pop('k', 5))
    scores = {}
    if kept:
        crops = [osp.join(out_dir, r['crop']) for r in kept]
        # one model for both sets (a randomly initialised one differs
        # between builds)
        vectors = embed_images(crops + seeds, **cfg)
        values = knn_scores(vectors[:len(crops)], vectors[len(crops):], k)
        for record, value in zip(kept, values):
            scores[record['crop']] = round(float(value), 4)
            if value < threshold:
                record['outcome'] = 'far_from_seeds'
    with open(osp.join(out_dir, 'retrieval.json'), 'w') as f:
        json.dump(dict(seeds=seeds, k=k, min_similarity=threshold,
                       scores=scores), f, indent=2)


def _source_paths(source: Union[str, Sequence[str]]) -> List[str]:
    return (find_images(source) if isinstance(source, str) else
            [osp.abspath(p) for p in source])


def _run_journal(paths: List[str], out_dir: str, cfg: dict, workers: int,
                 progress: Optional[Callable[[int, int], None]]):
    """Process the images the journal has no outcome for yet.

    Returns:
        tuple: ``(records by path, how many were done before, settings)``.
    """
    os.makedirs(out_dir, exist_ok=True)
    settings = {k: v for k, v in cfg.items() if k != 'out_dir'}
    _check_settings(out_dir, settings)
    journal = osp.join(out_dir, JOURNAL)
    done = _read_journal(journal)
    todo = [p for p in paths if p not in done]
    resumed = len(paths) - len(todo)
    with open(journal, 'a+') as log:
        if log.tell() > 0:  # end a line a kill cut short
            log.seek(log.tell() - 1)
            if log.read(1) != '\n':
                log.write('\n')
        if workers > 0 and todo:
            pool = get_context('spawn').Pool(
                workers, initializer=_init_worker, initargs=(cfg, ))
            results = pool.imap(_run_one, todo, chunksize=4)
        else:
            pool, worker = None, _Worker(cfg)
            results = map(worker, todo)
        try:
            for k, record in enumerate(results, 1):
                log.write(json.dumps(record) + '\n')
                log.flush()
                done[record['image']] = record
                if progress is not None:
                    progress(resumed + k, len(paths))
        finally:
            if pool is not None:
                pool.terminate()
    return done, resumed, settings


def curate_faces(source: Union[str, Sequence[str]],
                 out_dir: str,
                 detector: Optional[dict] = None,
                 min_size: int = 40,
                 min_score: float = 0.0,
                 size: int = 112,
                 margin: float = 0.2,
                 align: bool = True,
                 workers: int = 0,
                 progress: Optional[Callable[[int, int], None]] = None,
                 retrieval: Optional[dict] = None,
                 keep_tree: bool = False) -> dict:
    """Keep the images with a face, as aligned crops and a list file.

    Args:
        source (str | Sequence[str]): A folder tree, a list file (see
            :func:`find_images`) or image paths.
        out_dir (str): Output folder: ``crops/``, ``faces.txt``,
            ``curation.jsonl`` and ``report.json``.
        detector (dict, optional): Detector config. Defaults to
            ``dict(type='DlibHogFace')``.
        min_size (int): Smallest face (shorter box side, pixels) to keep.
            Defaults to 40.
        min_score (float): Lowest detector score to keep (the backend's
            scale). Defaults to 0.
        size (int): Side of the written crops. Defaults to 112.
        margin (float): Context around an aligned face, see
            :func:`fbp_mm.faces.face_template`. Defaults to 0.2.
        align (bool): Align with dlib's 68 landmarks (else crop the box).
            Defaults to True.
        workers (int): Worker processes (0: this process). Defaults to 0.
        progress (Callable[[int, int], None], optional): Called with
            ``(done, total)`` after each image. Defaults to None.
        retrieval (dict, optional): Keep only the faces near a seed set,
            as ProS's face-aware retrieval: ``seeds`` (folder or list of
            face crops), ``model`` (config or MMPretrain model name),
            ``checkpoint``, ``k`` (neighbours, default 5) and
            ``min_similarity`` (mean cosine similarity to the ``k``
            nearest seeds; default 0.5). The others become
            ``far_from_seeds``; every crop's score is in
            ``retrieval.json``. Defaults to None (no retrieval).
        keep_tree (bool): Write each crop at the image's own path under
            ``crops/`` (``source/F001/T1/0001.jpg`` ->
            ``crops/F001/T1/0001.jpg``, same format), for labels that name
            their frames by path (BP4D / DISFA lists of
            ``tools/dataset_converters/au_lists.py``); ``source`` must be a
            folder. Defaults to False (``crops/<stem>_<hash>.png``).

    Returns:
        dict: ``counts`` per outcome, ``num_images``, ``resumed`` (images
        already done by an earlier run) and the output paths.
    """
    if keep_tree and not (isinstance(source, str) and osp.isdir(source)):
        raise ValueError('keep_tree=True needs a source folder (the crops '
                         f'keep the paths under it), got {source!r}')
    paths = _source_paths(source)
    cfg = dict(
        detector=dict(detector or dict(type='DlibHogFace')),
        min_size=int(min_size), min_score=float(min_score), size=int(size),
        margin=float(margin), align=bool(align),
        out_dir=osp.abspath(out_dir))
    if keep_tree:
        cfg['tree_root'] = osp.abspath(source)
    os.makedirs(osp.join(out_dir, 'crops'), exist_ok=True)
    done, resumed, settings = _run_journal(paths, out_dir, cfg, workers,
                                           progress)
    records = [dict(done[p]) for p in paths]
    if retrieval:
        _retrieve(records, out_dir, dict(retrieval))
    with open(osp.join(out_dir, LIST_FILE), 'w') as f:
        f.writelines(r['crop'] + '\n' for r in records
                     if r['outcome'] == 'kept')
    return _write_report(
        out_dir, records, resumed, list_file=osp.join(out_dir, LIST_FILE),
        settings=settings)


def write_landmarks(source: str,
                    out_dir: str,
                    detector: Optional[dict] = None,
                    min_size: int = 0,
                    min_score: float = 0.0,
                    workers: int = 0,
                    progress: Optional[Callable[[int, int], None]] = None
                    ) -> dict:
    """Write the 68 landmarks of every image of a folder to a list file.

    ``OUT/landmarks.txt`` holds ``<image> x0 y0 ... x67 y67`` (the image
    relative to ``source``, the points in pixels, the 68-point order) for
    each image whose best face passes the thresholds, the format of the
    synthetic faces' ``landmarks.txt``. The others are in the report by
    outcome. Resumable like :func:`curate_faces` (same journal).

    Args:
        source (str): Image folder (searched recursively).
        out_dir (str): Output folder.
        detector (dict, optional): Detector config. Defaults to
            ``dict(type='DlibHogFace')``.
        min_size (int): Smallest face kept (pixels). Defaults to 0.
        min_score (float): Lowest detector score kept. Defaults to 0.
        workers (int): Worker processes. Defaults to 0.
        progress (Callable[[int, int], None], optional): Progress callback.

    Returns:
        dict: ``counts`` per outcome, ``num_images``, ``resumed`` and
        ``landmarks_file``.

    Example:
        >>> # write_landmarks('data/faces/Images', 'data/faces/landmarks')
    """
    if not osp.isdir(source):
        raise FileNotFoundError(f'No image folder at {source}')
    paths = find_images(source)
    cfg = dict(
        detector=dict(detector or dict(type='DlibHogFace')),
        min_size=int(min_size), min_score=float(min_score), align=True,
        crops=False, out_dir=osp.abspath(out_dir))
    done, resumed, _ = _run_journal(paths, out_dir, cfg, workers, progress)
    records = [done[p] for p in paths]
    root = osp.abspath(source)
    out_file = osp.join(out_dir, 'landmarks.txt')
    with open(out_file, 'w') as f:
        for r in records:
            if r['outcome'] == 'kept':
                values = ' '.join(f'{v:.2f}' for xy in r['landmarks']
                                  for v in xy)
                f.write(f'{osp.relpath(r["image"], root)} {values}\n')
    return _write_report(out_dir, records, resumed, landmarks_file=out_file)
