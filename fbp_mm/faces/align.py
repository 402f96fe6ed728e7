# Copyright (c) fbp_mm contributors. All rights reserved.
"""Similarity alignment of a face to a canonical five-point template.

Example:
    >>> import numpy as np
    >>> img = np.zeros((200, 200, 3), np.uint8)
    >>> src = face_template(200, margin=0.0)
    >>> crop, matrix = align_face(img, src, size=100)
    >>> crop.shape, bool(np.allclose(matrix[:, :2], np.eye(2) / 2))
    ((100, 100, 3), True)
"""
from typing import Optional, Tuple

import cv2
import numpy as np

from .landmarks import five_point_subset

__all__ = [
    'TEMPLATE_5', 'face_template', 'similarity_transform', 'align_face'
]

#: The five points (left eye, right eye, nose tip, left and right mouth
#: corner, as the viewer sees them) of an upright frontal face in a unit
#: square crop with no margin: eyes 0.32 of the crop apart, the eye line at
#: 0.38 of its height, the mouth at 0.74.
TEMPLATE_5 = np.array([[0.34, 0.38], [0.66, 0.38], [0.50, 0.56],
                       [0.37, 0.74], [0.63, 0.74]])


def face_template(size: int, margin: float = 0.0,
                  template: Optional[np.ndarray] = None) -> np.ndarray:
    """The template's points in pixels of a ``size`` crop.

    Args:
        size (int): Crop side in pixels.
        margin (float): Extra context on each side, as a share of the
            tight crop (0.25 shows a quarter of the face more on every
            side; the face shrinks accordingly). Defaults to 0.
        template (np.ndarray, optional): ``(5, 2)`` unit-square points.
            Defaults to :data:`TEMPLATE_5`.

    Returns:
        np.ndarray: ``(5, 2)`` pixel positions.
    """
    unit = TEMPLATE_5 if template is None else np.asarray(template, float)
    return (0.5 + (unit - 0.5) / (1.0 + 2.0 * margin)) * size


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The rotation, uniform scale and shift that best maps ``src`` onto
    ``dst`` (least squares, no reflection; Umeyama's closed form).

    Args:
        src (np.ndarray): ``(N, 2)`` points, N >= 2.
        dst (np.ndarray): ``(N, 2)`` points.

    Returns:
        np.ndarray: ``2 x 3`` matrix for :func:`cv2.warpAffine`.
    """
    src = np.asarray(src, dtype=np.float64)
    dst = np.asarray(dst, dtype=np.float64)
    if src.shape != dst.shape or src.ndim != 2 or src.shape[1] != 2 \
            or len(src) < 2:
        raise ValueError('similarity_transform takes two (N, 2) point sets '
                         f'with N >= 2, got {src.shape} and {dst.shape}')
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s_c, d_c = src - mu_s, dst - mu_d
    var_s = (s_c**2).sum() / len(src)
    if var_s == 0:
        raise ValueError('similarity_transform: the source points coincide')
    u, sig, vt = np.linalg.svd(d_c.T @ s_c / len(src))
    d = np.diag([1.0, np.sign(np.linalg.det(u) * np.linalg.det(vt)) or 1.0])
    rot = u @ d @ vt
    scale = np.trace(np.diag(sig) @ d) / var_s
    shift = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, shift[:, None]])


def align_face(img: np.ndarray,
               points: np.ndarray,
               size: int = 112,
               margin: float = 0.0,
               template: Optional[np.ndarray] = None,
               border: int = cv2.BORDER_REPLICATE
               ) -> Tuple[np.ndarray, np.ndarray]:
    """Warp the face so that its five points land on the template.

    Args:
        img (np.ndarray): The image.
        points (np.ndarray): ``(68, 2)`` landmarks (their
            :func:`~fbp_mm.faces.landmarks.five_point_subset` is used) or
            the ``(5, 2)`` points themselves.
        size (int): Side of the square crop. Defaults to 112.
        margin (float): See :func:`face_template`. Defaults to 0.
        template (np.ndarray, optional): See :func:`face_template`.
        border (int): OpenCV border mode. Defaults to replicate.

    Returns:
        tuple: The ``size x size`` crop and the ``2 x 3`` matrix from image
        to crop pixels (apply it to other points with
        ``pts @ m[:, :2].T + m[:, 2]``).
    """
    points = np.asarray(points, dtype=np.float64)
    if points.shape == (68, 2):
        points = five_point_subset(points)
    elif points.shape != (5, 2):
        raise ValueError('align_face takes (68, 2) or (5, 2) points, got '
                         f'an array of shape {points.shape}')
    matrix = similarity_transform(points,
                                  face_template(size, margin, template))
    crop = cv2.warpAffine(
        img, matrix, (size, size), flags=cv2.INTER_LINEAR,
        borderMode=border)
    return crop, matrix
