# Copyright (c) fbp_mm contributors. All rights reserved.
"""Turn a folder of face images into a labeled face image quality dataset.

Every source face is kept once untouched and copied several times with
graded, seeded degradations from :mod:`.degradations` (blur, motion blur,
JPEG, noise, low resolution, exposure, occlusion, mixtures). The label of
each copy is the documented :func:`.degradations.quality_score` of the
strengths that were applied, in ``(0, 1]`` (1 = untouched). Sources are
split into labeled train / val / test sets and two unlabeled pools, so no
face appears in two parts.

The output reads directly with :class:`ScoreListDataset` (the CSVs use the
FIQA challenge format ``image_name,score``) and
:class:`UnlabeledFaceDataset` (the unlabeled lists), both with
``data_prefix='images'``. It lets the face quality pipeline be tested
without challenge data, and lets users build a quality set from their own
faces. The scores describe synthetic damage relative to the source image,
not human opinion scores.

Only :mod:`numpy` and :mod:`cv2` are needed to draw; nothing is
registered in any MMPretrain registry.
"""
import csv
import hashlib
import json
import os
import os.path as osp
import re
import zlib
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..datasets.annotations import IMAGE_EXTENSIONS
from .cli import read_settings_file
from .degradations import (BASE_DEGRADATIONS, DEGRADATIONS, QUALITY_WEIGHTS,
                           mixed, quality_score)

__all__ = [
    'SPLITS', 'IMAGE_EXTENSIONS', 'find_source_images',
    'make_degraded_faces', 'degraded_faces_complete'
]

#: The five parts of a generated set, in the order of their share.
SPLITS = ('train', 'val', 'test', 'unlabeled_1', 'unlabeled_2')
SETTINGS_FILE = '.degraded_faces.json'
IMAGE_DIR = 'images'
PROVENANCE_FILE = 'degradations.csv'
FORMAT_VERSION = 1
JPEG_QUALITY = 95  # quality of every written image, the clean one included


def find_source_images(
        src_dir: str,
        extensions: Sequence[str] = IMAGE_EXTENSIONS,
        exclude: Optional[str] = None) -> List[str]:
    """List the images under a folder, recursively and sorted.

    Args:
        src_dir (str): Folder to search.
        extensions (Sequence[str]): File name endings to accept (any
            case). Defaults to :data:`IMAGE_EXTENSIONS`.
        exclude (str, optional): A folder whose content is skipped (the
            output folder when it lies inside ``src_dir``).

    Returns:
        list[str]: Paths relative to ``src_dir`` with ``/`` separators,
        sorted.

    Example:
        >>> find_source_images('/nonexistent/folder')
        Traceback (most recent call last):
        ...
        FileNotFoundError: Source folder /nonexistent/folder does not exist.
    """
    if not osp.isdir(src_dir):
        raise FileNotFoundError(f'Source folder {src_dir} does not exist.')
    extensions = tuple(e.lower() for e in extensions)
    skip = osp.realpath(exclude) if exclude else None
    found = []
    for folder, dirs, files in os.walk(src_dir, followlinks=True):
        if skip is not None:
            dirs[:] = [
                d for d in dirs if osp.realpath(osp.join(folder, d)) != skip
            ]
        for name in files:
            if name.lower().endswith(extensions):
                rel = osp.relpath(osp.join(folder, name), src_dir)
                found.append(rel.replace(os.sep, '/'))
    return sorted(found)


def _output_stems(sources: Sequence[str]) -> List[str]:
    """Unique, file-system and list-file safe stems, one per source."""
    stems, used = [], set()
    for rel in sources:
        base = osp.splitext(osp.basename(rel))[0]
        base = re.sub(r'[^A-Za-z0-9._-]+', '_', base).strip('.') or 'img'
        stem, count = base, 1
        while stem in used:
            count += 1
            stem = f'{base}-{count}'
        used.add(stem)
        stems.append(stem)
    return stems


def _fingerprint(src_dir: str, sources: Sequence[str]) -> str:
    """Hash of the source paths and sizes (detects changed sources)."""
    digest = hashlib.sha1()
    for rel in sources:
        size = osp.getsize(osp.join(src_dir, rel))
        digest.update(f'{rel}\t{size}\n'.encode('utf-8'))
    return digest.hexdigest()


def _normalise(values: Sequence[float], count: int, what: str) -> List[float]:
    values = [float(v) for v in values]
    if len(values) != count or any(not v >= 0.0 for v in values):
        raise ValueError(f'{what} must be {count} non-negative numbers, got '
                         f'{values}')
    return values


def _settings(levels: int, per_source: int, seed: int,
              splits: Sequence[float], unlabeled_fractions: Sequence[float],
              image_size: Optional[int], types: Sequence[str]) -> dict:
    return {
        'format_version': FORMAT_VERSION,
        'levels': int(levels),
        'per_source': int(per_source),
        'seed': int(seed),
        'splits': [float(v) for v in splits],
        'unlabeled_fractions': [float(v) for v in unlabeled_fractions],
        'image_size': None if image_size is None else int(image_size),
        'types': list(types),
    }


def _resolve(levels: int, per_source: Optional[int], seed: int,
             splits: Sequence[float], unlabeled_fractions: Sequence[float],
             image_size: Optional[int],
             types: Optional[Sequence[str]]) -> dict:
    """Check the arguments and fill in defaults; return the settings."""
    if int(levels) < 1:
        raise ValueError(f'levels must be at least 1, got {levels}')
    per_source = int(levels) + 1 if per_source is None else int(per_source)
    if per_source < 1:
        raise ValueError(f'per_source must be at least 1, got {per_source}')
    splits = _normalise(splits, 3, 'splits')
    if sum(splits) <= 0.0 or splits[0] <= 0.0:
        raise ValueError(f'splits needs a positive train share, got {splits}')
    unlabeled_fractions = _normalise(unlabeled_fractions, 2,
                                     'unlabeled_fractions')
    if sum(unlabeled_fractions) >= 1.0:
        raise ValueError('unlabeled_fractions must add up to less than 1, '
                         f'got {unlabeled_fractions}')
    if image_size is not None and int(image_size) < 8:
        raise ValueError(f'image_size must be at least 8, got {image_size}')
    types = list(DEGRADATIONS) if types is None else list(types)
    unknown = [t for t in types if t not in DEGRADATIONS]
    if not types or unknown:
        raise ValueError(f'types must name some of {list(DEGRADATIONS)}, '
                         f'got {types}')
    return _settings(levels, per_source, seed, splits, unlabeled_fractions,
                     image_size, types)


def _allocate(total: int, fractions: Sequence[float]) -> List[int]:
    """Split ``total`` items into parts by largest remainders.

    Parts with a positive fraction get at least one item while the largest
    part can spare one.
    """
    fractions = np.asarray(fractions, np.float64)
    exact = total * fractions / fractions.sum()
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind='stable')
    counts[order[:total - counts.sum()]] += 1
    for i in np.flatnonzero((fractions > 0) & (counts == 0)):
        largest = int(np.argmax(counts))
        if counts[largest] > 1:
            counts[largest] -= 1
            counts[i] += 1
    return [int(c) for c in counts]


def _split_fractions(settings: dict) -> List[float]:
    """Shares of the sources for :data:`SPLITS` (they add up to 1)."""
    u1, u2 = settings['unlabeled_fractions']
    labeled = np.asarray(settings['splits'], np.float64)
    labeled = labeled / labeled.sum() * (1.0 - u1 - u2)
    return [float(v) for v in labeled] + [u1, u2]


def _load_image(path: str, image_size: Optional[int]) -> Optional[np.ndarray]:
    """Read a BGR image (None if unreadable); optionally make it square.

    With ``image_size`` the shorter side is resized to it and the centre
    square is kept.
    """
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    img = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if img is None or min(img.shape[:2]) < 2:
        return None
    if image_size is not None:
        h, w = img.shape[:2]
        scale = image_size / min(h, w)
        new_w = max(int(round(w * scale)), image_size)
        new_h = max(int(round(h * scale)), image_size)
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        img = cv2.resize(img, (new_w, new_h), interpolation=interp)
        top, left = (new_h - image_size) // 2, (new_w - image_size) // 2
        img = img[top:top + image_size, left:left + image_size]
    return np.ascontiguousarray(img)


def _write_jpeg(path: str, img: np.ndarray) -> None:
    ok, buf = cv2.imencode('.jpg', img,
                           [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError(f'Failed to encode {path}')
    buf.tofile(path)


def _plan_versions(rng: np.random.Generator, settings: dict
                   ) -> List[Tuple[str, int, float]]:
    """``(type, level, strength)`` of every version of one source.

    Version 0 is the clean image. The others cycle through levels
    ``1..levels`` from a random offset (so every source covers the range)
    and take a strength uniformly inside their level's bin
    ``((level - 1) / levels, level / levels]`` and a random type.
    """
    levels, count = settings['levels'], settings['per_source']
    types = settings['types']
    offset = int(rng.integers(levels))
    plan = [('none', 0, 0.0)]
    for j in range(1, count):
        level = (j - 1 + offset) % levels + 1
        strength = (level - rng.random()) / levels
        name = types[int(rng.integers(len(types)))]
        plan.append((name, level, float(min(max(strength, 0.0), 1.0))))
    return plan


def _degrade(img: np.ndarray, name: str, strength: float,
             rng: np.random.Generator) -> Tuple[np.ndarray, Dict[str, float]]:
    """Apply one planned version; return the image and its strengths."""
    if name == 'none':
        return img, {}
    if name == 'mixed':
        return mixed(img, strength, rng, return_strengths=True)
    return DEGRADATIONS[name](img, strength, rng), {name: strength}


def _readme(settings: dict, counts: Dict[str, Tuple[int, int]]) -> str:
    weights = '\n'.join(f'| {name} | {w:.2f} | {1.0 - w:.2f} |'
                        for name, w in QUALITY_WEIGHTS.items())
    parts = '\n'.join(f'| {split} | {counts[split][0]} | {counts[split][1]} |'
                      for split in SPLITS)
    return f"""# Degraded faces (synthetic face image quality set)

Written by `fbp_mm.generators.degraded_faces` (settings:
{json.dumps(settings)}). Each source face is kept once untouched
(`<stem>_0.jpg`) and copied with seeded, graded degradations
(`<stem>_1.jpg`, ...). **The scores measure synthetic damage relative to
the source image; they are not human opinion scores**, and they assume
the source images themselves are of good quality.

## Score
`score = prod_k (1 - w_k * s_k)` in (0, 1], higher is better: 1 for an
untouched image, strictly falling with every strength `s_k` in [0, 1]
(a mixed degradation counts as the strengths of its parts):

| degradation | w_k | score at s_k = 1 alone |
| --- | --- | --- |
{weights}

Strength 1 means: Gaussian blur sigma 3.5% of the shorter side; motion blur
path 12% of the shorter side at a random angle; JPEG quality 5 (quality
`5 + 90 (1 - s)^2`); noise std 40 grey levels; sides shrunk 8 times and
enlarged back; exposure two stops darker or brighter (random); rectangles
of random colour covering half the image. Degraded version `j` of a source
gets a level in 1..{settings['levels']} (cycled from a random offset), a
strength drawn uniformly inside that level's bin and a random type out of
{', '.join(settings['types'])}.
All images are written as JPEG quality {JPEG_QUALITY}.

## Files and path convention
**Every image path in every list is relative to `images/`.**

- `images/<stem>_<k>.jpg`: all images (`k = 0` is the clean one).
- `train.csv`, `val.csv`, `test.csv`: `image_name,score` (FIQA challenge
  format).
- `unlabeled_1.txt`, `unlabeled_2.txt`: one image name per line, no score.
- `degradations.csv`: every image with its source (relative to the source
  folder), split, score, type, level and the strength of each single type.

Sources are split, not images: all versions of one face are in the same
part.

| part | sources | images |
| --- | --- | --- |
{parts}

## Reading it
```python
train = dict(type='ScoreListDataset', data_root='<this folder>',
             ann_file='train.csv', data_prefix='images', score_range=(0, 1))
pool = dict(type='UnlabeledFaceDataset', data_root='<this folder>',
            ann_file='unlabeled_1.txt', data_prefix='images')
```
"""


def degraded_faces_complete(src_dir: str,
                            out_dir: str,
                            levels: int = 5,
                            per_source: Optional[int] = None,
                            seed: int = 0,
                            splits: Sequence[float] = (0.6, 0.2, 0.2),
                            unlabeled_fractions: Sequence[float] = (0.2,
                                                                    0.2),
                            image_size: Optional[int] = None,
                            types: Optional[Sequence[str]] = None) -> bool:
    """Whether ``out_dir`` holds a finished set made with these settings.

    The settings file is written last by :func:`make_degraded_faces`, so an
    interrupted run counts as incomplete. The source images must be the
    same (paths and file sizes), and every list file and every image named
    in ``degradations.csv`` must exist.

    Args:
        src_dir (str): Source folder.
        out_dir (str): Output folder.
        levels, per_source, seed, splits, unlabeled_fractions, image_size,
            types: As for :func:`make_degraded_faces`.

    Returns:
        bool: True if nothing needs to be generated.

    Example:
        >>> degraded_faces_complete('/nonexistent/src', '/nonexistent/out')
        False
    """
    stored = read_settings_file(osp.join(out_dir, SETTINGS_FILE))
    if stored is None or not osp.isdir(src_dir):
        return False
    try:
        settings = _resolve(levels, per_source, seed, splits,
                            unlabeled_fractions, image_size, types)
    except ValueError:
        return False
    if stored.get('settings') != settings:
        return False
    sources = find_source_images(src_dir, exclude=out_dir)
    if stored.get('source_fingerprint') != _fingerprint(src_dir, sources):
        return False
    files = [osp.join(out_dir, p) for p in stored.get('files', [])]
    if not all(osp.isfile(p) for p in files):
        return False
    try:
        with open(
                osp.join(out_dir, PROVENANCE_FILE), encoding='utf-8') as f:
            names = [row['image_name'] for row in csv.DictReader(f)]
    except (OSError, KeyError, csv.Error):
        return False
    if len(names) != stored.get('num_images'):
        return False
    img_dir = osp.join(out_dir, IMAGE_DIR)
    return all(osp.isfile(osp.join(img_dir, n)) for n in names)


def make_degraded_faces(
        src_dir: str,
        out_dir: str,
        levels: int = 5,
        per_source: Optional[int] = None,
        seed: int = 0,
        splits: Sequence[float] = (0.6, 0.2, 0.2),
        unlabeled_fractions: Sequence[float] = (0.2, 0.2),
        image_size: Optional[int] = None,
        types: Optional[Sequence[str]] = None,
        progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Write a face image quality dataset made by graded degradations.

    Written files (relative to ``out_dir``)::

        images/<stem>_<k>.jpg          k = 0 clean, 1.. degraded (JPEG 95)
        train.csv, val.csv, test.csv   image_name,score
        unlabeled_1.txt, unlabeled_2.txt   one image name per line
        degradations.csv               image_name,source,split,score,
                                       degradation,level,<one strength
                                       column per single type>
        README.md, .degraded_faces.json    description, settings (last)

    **Every image path in every list is relative to** ``out_dir/images``
    (use ``data_prefix='images'``). ``<stem>`` is the source file name
    without extension (characters other than letters, digits, ``.``,
    ``_`` and ``-`` become ``_``; a repeated stem gets ``-2``, ``-3``, ...
    in sorted source order).

    Sources are all images under ``src_dir`` (recursively, sorted, by
    extension; ``out_dir`` is skipped when it lies inside ``src_dir``);
    unreadable files are skipped and listed in the result. Each source
    gives ``per_source`` images: the clean one (score 1) and
    ``per_source - 1`` degraded copies. Copy ``j`` gets level ``(j - 1 +
    offset) % levels + 1`` (a random offset per source), a strength drawn
    uniformly in ``((level - 1) / levels, level / levels]`` and a type
    drawn from ``types``. Its score is
    :func:`.degradations.quality_score` of the applied strengths:
    ``prod_k (1 - w_k * s_k)`` in ``(0, 1]``.

    Sources (not images) are split: a seeded permutation is cut into
    train / val / test / unlabeled_1 / unlabeled_2 with the shares
    ``(1 - u1 - u2) * splits / sum(splits)`` and ``unlabeled_fractions =
    (u1, u2)`` (largest-remainder rounding; a part with a positive share
    gets at least one source when possible). Unlabeled images still get
    their hidden score in ``degradations.csv``.

    Everything, including the JPEG bytes, is a pure function of the
    sources and the arguments; the degradations of one source depend only
    on ``seed`` and its relative path. Files in ``out_dir`` that this
    function does not write are left alone.

    Args:
        src_dir (str): Folder of source face images.
        out_dir (str): Output folder (created if needed).
        levels (int): Number of strength levels. Defaults to 5.
        per_source (int, optional): Images per source, the clean one
            included. Defaults to ``levels + 1`` (one copy per level).
        seed (int): Random seed. Defaults to 0.
        splits (Sequence[float]): Train, val and test shares of the
            labeled sources. Defaults to ``(0.6, 0.2, 0.2)``.
        unlabeled_fractions (Sequence[float]): Shares of all sources for
            the two unlabeled pools; they must add up to less than 1.
            Defaults to ``(0.2, 0.2)``.
        image_size (int, optional): Resize the shorter side to this and
            keep the centre square. Defaults to None (keep the size).
        types (Sequence[str], optional): Degradation types to draw from
            (keys of :data:`.degradations.DEGRADATIONS`). Defaults to all,
            ``'mixed'`` included.
        progress (Callable[[int, int], None], optional): Called after every
            source with ``(images done, images planned)``.

    Returns:
        dict: Summary with the settings, counts per part (``num_sources``,
        ``num_images``, ``split_sources``, ``split_images``), counts per
        type, score statistics, skipped sources and the main paths.

    Example:
        >>> import tempfile
        >>> from fbp_mm.generators import generate_demo_faces
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     _ = generate_demo_faces(tmp + '/src', 10, 0, size=32)
        ...     info = make_degraded_faces(tmp + '/src', tmp + '/out')
        >>> info['num_images'], info['split_sources']['train']
        (60, 4)
    """
    settings = _resolve(levels, per_source, seed, splits,
                        unlabeled_fractions, image_size, types)
    sources = find_source_images(src_dir, exclude=out_dir)
    if not sources:
        raise FileNotFoundError(f'No images found under {src_dir}.')
    os.makedirs(out_dir, exist_ok=True)
    settings_path = osp.join(out_dir, SETTINGS_FILE)
    if osp.exists(settings_path):
        os.remove(settings_path)  # mark as incomplete while writing
    img_dir = osp.join(out_dir, IMAGE_DIR)
    os.makedirs(img_dir, exist_ok=True)

    counts = _allocate(len(sources), _split_fractions(settings))
    perm = np.random.default_rng([settings['seed'], 1]).permutation(
        len(sources))
    split_of = np.empty(len(sources), dtype=object)
    bounds = np.cumsum([0] + counts)
    for k, split in enumerate(SPLITS):
        split_of[perm[bounds[k]:bounds[k + 1]]] = split

    stems = _output_stems(sources)
    base_types = list(BASE_DEGRADATIONS)
    per = settings['per_source']
    total = per * len(sources)
    rows: List[dict] = []
    skipped: List[str] = []
    skipped_set = set()
    done = 0
    for idx, rel in enumerate(sources):
        img = _load_image(osp.join(src_dir, rel), settings['image_size'])
        if img is None:
            skipped.append(rel)
            skipped_set.add(rel)
            total -= per
        else:
            key = zlib.crc32(rel.encode('utf-8'))
            rng = np.random.default_rng([settings['seed'], 0, key])
            for k, (name, level, strength) in enumerate(
                    _plan_versions(rng, settings)):
                out, applied = _degrade(img, name, strength,
                                        np.random.default_rng(
                                            [settings['seed'], 2, key, k]))
                image_name = f'{stems[idx]}_{k}.jpg'
                _write_jpeg(osp.join(img_dir, image_name), out)
                rows.append({
                    'image_name': image_name,
                    'source': rel,
                    'split': split_of[idx],
                    'score': quality_score(applied),
                    'degradation': name,
                    'level': level,
                    **{t: applied.get(t, 0.0)
                       for t in base_types},
                })
            done += per
        if progress is not None:
            progress(done, total)
    if not rows:
        raise RuntimeError(f'None of the {len(sources)} images under '
                           f'{src_dir} could be read.')

    written = []

    def open_out(rel: str):
        written.append(rel)
        return open(
            osp.join(out_dir, rel), 'w', encoding='utf-8', newline='')

    for split in SPLITS[:3]:
        with open_out(f'{split}.csv') as f:
            writer = csv.writer(f, lineterminator='\n')
            writer.writerow(['image_name', 'score'])
            writer.writerows([r['image_name'], f"{r['score']:.6f}"]
                             for r in rows if r['split'] == split)
    for split in SPLITS[3:]:
        with open_out(f'{split}.txt') as f:
            f.write(''.join(r['image_name'] + '\n' for r in rows
                            if r['split'] == split))
    with open_out(PROVENANCE_FILE) as f:
        writer = csv.writer(f, lineterminator='\n')
        header = ['image_name', 'source', 'split', 'score', 'degradation',
                  'level'] + base_types
        writer.writerow(header)
        for r in rows:
            writer.writerow([
                r['image_name'], r['source'], r['split'], f"{r['score']:.6f}",
                r['degradation'], r['level']
            ] + [f'{r[t]:.6f}' for t in base_types])

    split_sources = {s: 0 for s in SPLITS}
    split_images = {s: 0 for s in SPLITS}
    for idx, rel in enumerate(sources):
        if rel not in skipped_set:
            split_sources[split_of[idx]] += 1
    for r in rows:
        split_images[r['split']] += 1
    with open_out('README.md') as f:
        f.write(
            _readme(settings, {
                s: (split_sources[s], split_images[s])
                for s in SPLITS
            }))

    fingerprint = _fingerprint(src_dir, sources)
    with open(settings_path, 'w', encoding='utf-8') as f:
        json.dump({
            'settings': settings,
            'source_fingerprint': fingerprint,
            'num_images': len(rows),
            'files': written
        }, f, indent=2)

    scores = np.array([r['score'] for r in rows])
    type_counts = {t: 0 for t in ['none'] + settings['types']}
    for r in rows:
        type_counts[r['degradation']] += 1
    return {
        'out_dir': out_dir,
        'settings': settings,
        'num_sources': len(sources) - len(skipped),
        'num_images': len(rows),
        'split_sources': split_sources,
        'split_images': split_images,
        'type_counts': type_counts,
        'score_mean': float(scores.mean()),
        'score_std': float(scores.std()),
        'score_min': float(scores.min()),
        'score_max': float(scores.max()),
        'skipped': skipped,
        'image_dir': img_dir,
        'provenance_file': osp.join(out_dir, PROVENANCE_FILE),
        'settings_file': settings_path,
    }
