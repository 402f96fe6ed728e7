"""Images without faces, cut from scikit-image's sample photos.

Face curation (:func:`fbp_mm.faces.curate_faces`) should drop these: the
ProS demo mixes them into its raw image folder so that the curation stage
has something to remove. Sources (bundled with scikit-image, no download):
``coffee``, ``chelsea`` (a cat), ``rocket``, ``hubble_deep_field``,
``coins``, ``moon``, ``page``, ``horse``, ``text``, ``brick``, ``grass``,
``gravel``, ``immunohistochemistry``, ``colorwheel``, ``logo``. The
cameraman and the astronaut are left out: they show faces.
"""
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Optional

import cv2
import numpy as np

from .cli import read_settings_file

SETTINGS_FILE = '.non_faces.json'
SOURCES = ('coffee', 'chelsea', 'rocket', 'hubble_deep_field', 'coins',
           'moon', 'page', 'horse', 'text', 'brick', 'grass', 'gravel',
           'immunohistochemistry', 'colorwheel', 'logo')
FORMAT_VERSION = 1


def _settings(num: int, size: int, seed: int) -> dict:
    return dict(num=int(num), size=int(size), seed=int(seed),
                format_version=FORMAT_VERSION)


def _load_sources() -> Dict[str, np.ndarray]:
    """The source photos as BGR uint8 arrays (those this scikit-image has)."""
    from skimage import data
    images = {}
    for name in SOURCES:
        try:
            img = np.asarray(getattr(data, name)())
        except Exception:  # a sample this version lacks or cannot open
            continue
        if img.dtype != np.uint8:
            img = (255 * (img.astype(np.float64) / max(img.max(), 1))
                   ).astype(np.uint8)
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        elif img.shape[2] == 4:
            img = cv2.cvtColor(img, cv2.COLOR_RGBA2BGR)
        else:
            img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
        images[name] = img
    if not images:
        raise RuntimeError('scikit-image ships none of the sample photos '
                           f'{SOURCES}; install scikit-image')
    return images


def non_faces_complete(out_dir: str, num: int = 400, size: int = 128,
                       seed: int = 0) -> bool:
    """Whether ``out_dir`` holds :func:`generate_non_faces`'s output for
    these settings (its settings file is written last).

    Example:
        >>> non_faces_complete('/nonexistent/out')
        False
    """
    stored = read_settings_file(osp.join(out_dir, SETTINGS_FILE))
    if stored is None or stored.get('settings') != _settings(num, size, seed):
        return False
    return all(osp.isfile(osp.join(out_dir, f)) for f in stored['files'])


def generate_non_faces(out_dir: str,
                       num: int = 400,
                       size: int = 128,
                       seed: int = 0,
                       progress: Optional[Callable[[int, int], None]] = None
                       ) -> dict:
    """Write ``num`` seeded square crops of photos without faces.

    Crop ``i`` comes from source photo ``i mod len(sources)``: a random
    square of 30-100% of the photo's shorter side at a random place,
    resized to ``size``, written as ``N<i + 1>.jpg`` (JPEG quality 95).

    Args:
        out_dir (str): Output folder.
        num (int): Number of crops. Defaults to 400.
        size (int): Side of the crops. Defaults to 128.
        seed (int): Seed. Defaults to 0.
        progress (Callable[[int, int], None], optional): Called with
            ``(done, total)`` after each crop.

    Returns:
        dict: ``num_images``, ``sources`` (names used) and ``out_dir``.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     generate_non_faces(tmp, num=3, size=32)['num_images']
        3
    """
    if num < 1:
        raise ValueError(f'num must be at least 1, got {num}')
    sources = _load_sources()
    names = list(sources)
    os.makedirs(out_dir, exist_ok=True)
    settings_path = osp.join(out_dir, SETTINGS_FILE)
    if osp.exists(settings_path):
        os.remove(settings_path)
    rng = np.random.default_rng(seed)
    files: List[str] = []
    for i in range(num):
        img = sources[names[i % len(names)]]
        height, width = img.shape[:2]
        side = int(min(height, width) * rng.uniform(0.3, 1.0))
        y = int(rng.integers(0, height - side + 1))
        x = int(rng.integers(0, width - side + 1))
        crop = cv2.resize(img[y:y + side, x:x + side], (size, size),
                          interpolation=cv2.INTER_AREA)
        name = f'N{i + 1}.jpg'
        cv2.imwrite(osp.join(out_dir, name), crop,
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        files.append(name)
        if progress is not None:
            progress(i + 1, num)
    with open(settings_path, 'w', encoding='utf-8') as f:
        json.dump(dict(settings=_settings(num, size, seed), files=files,
                       sources=names), f, indent=2)
    return dict(num_images=num, sources=names, out_dir=out_dir)
