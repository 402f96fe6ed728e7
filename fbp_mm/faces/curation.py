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

from .align import align_face
from .detectors import build_face_detector
from .landmarks import DlibLandmarkPredictor

__all__ = ['OUTCOMES', 'find_images', 'curate_faces']

IMAGE_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
#: Per-image outcomes, in report order.
OUTCOMES = ('kept', 'no_face', 'too_small', 'low_score', 'unreadable')
JOURNAL = 'curation.jsonl'
LIST_FILE = 'faces.txt'
REPORT = 'report.json'
SETTINGS = 'settings.json'


def find_images(source: str) -> List[str]:
    """The image paths under a folder (recursively, sorted) or in a list.

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
        found = []
        for root, dirs, files in os.walk(source):
            dirs.sort()
            found += [
                osp.join(root, f) for f in sorted(files)
                if f.lower().endswith(IMAGE_EXTS)
            ]
        return [osp.abspath(p) for p in found]
    if not osp.isfile(source):
        raise FileNotFoundError(f'No folder or list file at {source}')
    base = osp.dirname(osp.abspath(source))
    with open(source) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [osp.abspath(osp.join(base, p)) for p in lines if p]


class _Worker:
    """What one process needs: the detector, predictor and thresholds."""

    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.detector = build_face_detector(cfg['detector'])
        self.predictor = DlibLandmarkPredictor(68) if cfg['align'] else None

    def __call__(self, item) -> dict:
        path = item
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
        # named after the input path, so that a grown source tree never
        # renames an earlier crop
        digest = hashlib.sha1(path.encode()).hexdigest()[:10]
        stem = osp.splitext(osp.basename(path))[0]
        rel = osp.join('crops', f'{stem}_{digest}.png')
        if self.predictor is not None:
            points = self.predictor.predict(img, best)
            crop, _ = align_face(img, points, cfg['size'], cfg['margin'])
            record['landmarks'] = np.round(points, 1).tolist()
        else:
            x1, y1, x2, y2 = (int(round(v)) for v in best.box)
            crop = img[max(y1, 0):y2, max(x1, 0):x2]
            crop = cv2.resize(crop, (cfg['size'], cfg['size']))
        out = osp.join(cfg['out_dir'], rel)
        tmp = out + '.tmp.png'
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


def curate_faces(source: Union[str, Sequence[str]],
                 out_dir: str,
                 detector: Optional[dict] = None,
                 min_size: int = 40,
                 min_score: float = 0.0,
                 size: int = 112,
                 margin: float = 0.2,
                 align: bool = True,
                 workers: int = 0,
                 progress: Optional[Callable[[int, int], None]] = None
                 ) -> dict:
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

    Returns:
        dict: ``counts`` per outcome, ``num_images``, ``resumed`` (images
        already done by an earlier run) and the output paths.
    """
    paths = (find_images(source) if isinstance(source, str) else
             [osp.abspath(p) for p in source])
    os.makedirs(osp.join(out_dir, 'crops'), exist_ok=True)
    cfg = dict(
        detector=dict(detector or dict(type='DlibHogFace')),
        min_size=int(min_size), min_score=float(min_score), size=int(size),
        margin=float(margin), align=bool(align),
        out_dir=osp.abspath(out_dir))
    settings = {k: v for k, v in cfg.items() if k != 'out_dir'}
    _check_settings(out_dir, settings)
    journal = osp.join(out_dir, JOURNAL)
    done = _read_journal(journal)
    todo = [p for p in paths if p not in done]
    resumed = len(paths) - len(todo)
    with open(journal, 'a') as log:
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
    records = [done[p] for p in paths]
    counts = Counter(r['outcome'] for r in records)
    with open(osp.join(out_dir, LIST_FILE), 'w') as f:
        f.writelines(r['crop'] + '\n' for r in records
                     if r['outcome'] == 'kept')
    report = dict(
        num_images=len(paths),
        counts={k: counts.get(k, 0) for k in OUTCOMES},
        resumed=resumed,
        unreadable=[r['image'] for r in records
                    if r['outcome'] == 'unreadable'],
        list_file=osp.join(out_dir, LIST_FILE),
        journal=journal,
        settings=settings)
    with open(osp.join(out_dir, REPORT), 'w') as f:
        json.dump(report, f, indent=2)
    return report
