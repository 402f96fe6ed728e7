# Copyright (c) fbp_mm contributors. All rights reserved.
"""Real face photos that installed Python packages ship, as a folder.

Demos and tests may not download anything, yet a face image quality demo
on cartoon faces alone says little. Installed packages ship a few real,
public face photos:

* scikit-image ``skimage.data.lfw_subset()``: 100 face crops from Labeled
  Faces in the Wild (25 x 25 grey, the first 100 of its 200 images; the
  other 100 are non-faces and are left out);
* scikit-image ``skimage.data.astronaut()``: the portrait of astronaut
  Eileen Collins (NASA, public domain);
* matplotlib ``sample_data/grace_hopper.jpg``: the portrait of Rear
  Admiral Grace Hopper (US Navy, public domain).

The two portraits are cropped to their face with OpenCV's frontal-face
Haar cascade (shipped with opencv-python) and a margin. Each face is
written as a colour PNG (grey faces have three equal channels), so that
:func:`fbp_mm.generators.make_degraded_faces` can degrade them like any
other source. ``SOURCES.md`` in the output folder lists each file with
its origin.
"""
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Tuple

import cv2
import numpy as np

from .cli import read_settings_file

__all__ = ['PORTRAITS', 'collect_package_faces', 'load_package_faces']

#: Portraits: name -> (package, where inside it, what it shows).
PORTRAITS = {
    'astronaut': ('scikit-image', 'skimage.data.astronaut()',
                  'astronaut Eileen Collins, NASA, public domain'),
    'grace_hopper': ('matplotlib', 'sample_data/grace_hopper.jpg',
                     'Rear Admiral Grace Hopper, US Navy, public domain'),
}

_LFW_FACES = 100  # lfw_subset(): the first 100 images are faces.


def _portrait_rgb(name: str) -> np.ndarray:
    """The full RGB portrait ``name`` of :data:`PORTRAITS`."""
    if name == 'astronaut':
        from skimage import data
        return data.astronaut()
    if name == 'grace_hopper':
        import matplotlib
        path = osp.join(matplotlib.get_data_path(), 'sample_data',
                        'grace_hopper.jpg')
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            raise FileNotFoundError(f'matplotlib sample image not found: '
                                    f'{path}')
        return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    raise KeyError(f'unknown portrait {name!r}; known: {sorted(PORTRAITS)}')


def _crop_face(img: np.ndarray, margin: float) -> Tuple[np.ndarray, tuple]:
    """Crop the largest Haar-cascade face of ``img`` with a margin.

    Args:
        img (np.ndarray): RGB image.
        margin (float): Extra share of the box size added on each side.

    Returns:
        tuple: The square crop and the detected box ``(x, y, w, h)``.

    Raises:
        RuntimeError: When the cascade finds no face.
    """
    cascade = cv2.CascadeClassifier(
        osp.join(cv2.data.haarcascades,
                 'haarcascade_frontalface_default.xml'))
    grey = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    boxes = cascade.detectMultiScale(grey, 1.1, 5, minSize=(40, 40))
    if len(boxes) == 0:
        raise RuntimeError('the Haar cascade found no face')
    x, y, w, h = max(boxes.tolist(), key=lambda b: b[2] * b[3])
    side = int(round(max(w, h) * (1 + 2 * margin)))
    cx, cy = x + w // 2, y + h // 2
    x0 = int(np.clip(cx - side // 2, 0, img.shape[1] - 1))
    y0 = int(np.clip(cy - side // 2, 0, img.shape[0] - 1))
    crop = img[y0:y0 + side, x0:x0 + side]
    return crop, (int(x), int(y), int(w), int(h))


def load_package_faces(margin: float = 0.25
                       ) -> List[Tuple[str, np.ndarray, str]]:
    """The real faces of installed packages, in memory.

    Args:
        margin (float): Margin around the detected portrait faces, as a
            share of the box size on each side. Defaults to 0.25.

    Returns:
        list[tuple[str, np.ndarray, str]]: ``(file name, RGB uint8 image,
        origin)`` for each face: ``lfw_000.png`` ... ``lfw_099.png``, then
        the portraits.

    Example:
        >>> faces = load_package_faces()
        >>> len(faces), faces[0][0], faces[0][1].shape
        (102, 'lfw_000.png', (25, 25, 3))
    """
    from skimage import data
    faces = []
    lfw = data.lfw_subset()[:_LFW_FACES]
    for i, grey in enumerate(lfw):
        grey = np.clip(np.round(grey * 255.0), 0, 255).astype(np.uint8)
        faces.append((f'lfw_{i:03d}.png', np.repeat(grey[..., None], 3, -1),
                      f'scikit-image skimage.data.lfw_subset()[{i}] (Labeled '
                      'Faces in the Wild, 25 x 25 grey)'))
    for name, (package, where, what) in PORTRAITS.items():
        crop, box = _crop_face(_portrait_rgb(name), margin)
        faces.append((f'{name}.png', crop,
                      f'{package} {where} ({what}); Haar face box {box}, '
                      f'margin {margin}'))
    return faces


SETTINGS_FILE = '.collect_settings.json'


def _settings(margin: float, extra_dir: Optional[str],
              extra_count: int) -> Dict:
    return dict(
        margin=float(margin),
        extra_dir=osp.abspath(extra_dir) if extra_dir and extra_count else
        None,
        extra_count=int(extra_count) if extra_dir else 0)


def package_faces_complete(out_dir: str,
                           margin: float = 0.25,
                           extra_dir: Optional[str] = None,
                           extra_count: int = 0) -> bool:
    """Whether ``out_dir`` holds a finished collection with these settings.

    The settings file is written last by :func:`collect_package_faces`, so
    an interrupted run counts as incomplete; every file it lists must
    still be there.

    Args:
        out_dir (str): Output folder.
        margin, extra_dir, extra_count: As for
            :func:`collect_package_faces`.

    Returns:
        bool: True if nothing needs to be written.

    Example:
        >>> package_faces_complete('/nonexistent/out')
        False
    """
    stored = read_settings_file(osp.join(out_dir, SETTINGS_FILE))
    wanted = _settings(margin, extra_dir, extra_count)
    if stored is None or stored.get('settings') != wanted:
        return False
    return all(
        osp.isfile(osp.join(out_dir, name))
        for name in stored.get('files', []))


def collect_package_faces(out_dir: str,
                          margin: float = 0.25,
                          extra_dir: Optional[str] = None,
                          extra_count: int = 0,
                          progress: Optional[Callable[[int, int],
                                                      None]] = None) -> Dict:
    """Write the real package faces (and some other faces) to a folder.

    Real faces go to ``out_dir/real/``; with ``extra_dir``, the first
    ``extra_count`` images of that folder (sorted by name, e.g. the
    synthetic demo faces) are copied to ``out_dir/extra/``, so the folder
    is one source tree for :func:`make_degraded_faces`. ``SOURCES.md``
    lists every file and its origin. Existing files are overwritten; the
    settings are written last (see :func:`package_faces_complete`).

    Args:
        out_dir (str): Output folder.
        margin (float): Portrait crop margin, see
            :func:`load_package_faces`. Defaults to 0.25.
        extra_dir (str, optional): Folder of more face images (not
            searched recursively). Defaults to None.
        extra_count (int): How many of them to copy. Defaults to 0.
        progress (Callable[[int, int], None], optional): Called with
            ``(done, total)`` after each file. Defaults to None.

    Returns:
        dict: ``num_real``, ``num_extra`` and ``num_images``.

    Raises:
        FileNotFoundError: When ``extra_dir`` is given but holds fewer
            than ``extra_count`` images.

    Example:
        >>> import tempfile
        >>> info = collect_package_faces(tempfile.mkdtemp())
        >>> info['num_real']
        102
    """
    settings_path = osp.join(out_dir, SETTINGS_FILE)
    if osp.isfile(settings_path):
        os.remove(settings_path)
    extra: List[str] = []
    if extra_dir is not None and extra_count > 0:
        exts = ('.jpg', '.jpeg', '.png', '.bmp')
        names = sorted(n for n in os.listdir(extra_dir)
                       if n.lower().endswith(exts))
        if len(names) < extra_count:
            raise FileNotFoundError(
                f'{extra_dir} holds {len(names)} images, fewer than the '
                f'{extra_count} asked for')
        extra = names[:extra_count]
    real_dir = osp.join(out_dir, 'real')
    os.makedirs(real_dir, exist_ok=True)
    lines = ['# Face sources', '',
             'Real faces shipped by installed packages (`real/`):', '']
    faces = load_package_faces(margin)
    total = len(faces) + len(extra)
    files: List[str] = []
    for name, img, origin in faces:
        cv2.imwrite(osp.join(real_dir, name),
                    cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        lines.append(f'- `real/{name}`: {origin}')
        files.append(f'real/{name}')
        if progress is not None:
            progress(len(files), total)
    if extra:
        os.makedirs(osp.join(out_dir, 'extra'), exist_ok=True)
        for name in extra:
            with open(osp.join(extra_dir, name), 'rb') as src, \
                    open(osp.join(out_dir, 'extra', name), 'wb') as dst:
                dst.write(src.read())
            files.append(f'extra/{name}')
            if progress is not None:
                progress(len(files), total)
        lines += ['', f'Other faces (`extra/`): the first {len(extra)} '
                  f'images of `{extra_dir}` by name.']
    with open(osp.join(out_dir, 'SOURCES.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    with open(settings_path, 'w') as f:
        json.dump(dict(settings=_settings(margin, extra_dir, extra_count),
                       files=files + ['SOURCES.md']), f, indent=2)
    return dict(num_real=len(faces), num_extra=len(extra),
                num_images=len(faces) + len(extra))
