# Copyright (c) fbp_mm contributors. All rights reserved.
"""How a dataset frames its faces, measured, as a ``face_preparation``.

A model trained on face crops scores a photo well only when the face is
cut out of the photo as the training crops were. :func:`measure_face_framing`
detects the face of each training image and reports how large the image
is against the face box (the ``scale`` of
:class:`~fbp_mm.datasets.transforms.CropFaceBox`) and where the face
sits, so a config can record the crop that matches its data as its
``face_preparation`` (read by :class:`fbp_mm.apis.FaceScoreInferencer`
and ``tools/predict.py``).

Example:
    >>> # framing = measure_face_framing('data/SCUT-FBP5500_v2/Images')
    >>> # framing['face_preparation']['crop']
    >>> # {'type': 'CropFaceBox', 'size': 350, 'scale': ...}
"""
from typing import Optional, Sequence, Union

import cv2
import numpy as np

from .curation import find_images
from .detectors import build_face_detector

__all__ = ['measure_face_framing']


def measure_face_framing(images: Union[str, Sequence[str]],
                         detector: Optional[dict] = None,
                         limit: Optional[int] = 200) -> dict:
    """Median framing of the faces of a set of face crops.

    For each image with a face: ``scale`` is the image's shorter side over
    the longer side of the best face box (what ``CropFaceBox(scale=...)``
    takes), ``offset`` the box centre's distance from the image centre in
    box sides (x, y; positive: right, down).

    Args:
        images (str | Sequence[str]): A folder tree, a list file (see
            :func:`fbp_mm.faces.find_images`) or image paths.
        detector (dict, optional): Detector config; the one the
            inferencer will use. Defaults to
            ``dict(type='DlibHogFace', min_size=40, min_score=0.3)``.
        limit (int, optional): Measure at most this many images (evenly
            spaced over the sorted list). Defaults to 200; None for all.

    Returns:
        dict: ``measured`` and ``no_face`` (image counts), ``scale``,
        ``scale_iqr`` (its 25th and 75th percentiles), ``offset`` (x, y),
        ``size`` (median shorter image side) and ``face_preparation``
        (``detector`` and a ``CropFaceBox`` crop of that size and scale).

    Raises:
        ValueError: No image, or no face found in any.
    """
    detector = dict(detector or dict(
        type='DlibHogFace', min_size=40, min_score=0.3))
    paths = find_images(images) if isinstance(images, str) else list(images)
    if not paths:
        raise ValueError(f'No images in {images!r}.')
    if limit is not None and len(paths) > limit:
        picks = np.linspace(0, len(paths) - 1, limit).round().astype(int)
        paths = [paths[i] for i in picks]
    finder = build_face_detector(dict(detector))
    scales, offsets, sides, no_face = [], [], [], 0
    for path in paths:
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        if img is None:
            raise ValueError(f'Cannot read image {path!r}.')
        faces = finder.detect(img)
        if not faces:
            no_face += 1
            continue
        x1, y1, x2, y2 = faces[0].box
        h, w = img.shape[:2]
        box_side = max(x2 - x1, y2 - y1)
        scales.append(min(h, w) / box_side)
        offsets.append((((x1 + x2) / 2 - w / 2) / box_side,
                        ((y1 + y2) / 2 - h / 2) / box_side))
        sides.append(min(h, w))
    if not scales:
        raise ValueError(
            f'No face found in any of the {len(paths)} images measured '
            f'with {detector}.')
    scale = float(np.median(scales))
    size = int(np.median(sides))
    return dict(
        measured=len(scales),
        no_face=no_face,
        scale=round(scale, 3),
        scale_iqr=[round(float(v), 3) for v in np.percentile(scales,
                                                             [25, 75])],
        offset=[round(float(v), 3) for v in np.median(offsets, axis=0)],
        size=size,
        face_preparation=dict(
            detector=detector,
            crop=dict(type='CropFaceBox', size=size, scale=round(scale, 2))))
