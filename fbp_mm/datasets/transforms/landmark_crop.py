# Copyright (c) fbp_mm contributors. All rights reserved.
"""Square face crop for landmark regression.

Coordinates are 0-based pixel coordinates with the centre of the top-left
pixel at ``(0, 0)``, as the fbp_mm landmark datasets (``Face300W``,
``WFLW``) and :class:`AlignFace` use them: a point at ``(x, y)`` of the
image lands at ``M @ (x, y, 1)`` of the crop, where ``M`` is the stored
``face_crop_matrix`` (also the matrix given to ``cv2.warpAffine``).

Example:
    >>> pipeline = [
    ...     dict(type='LoadImageFromFile'),
    ...     dict(type='CropFaceBox', size=256, scale=1.25),
    ...     dict(type='PackInputs', algorithm_keys=['face_landmarks']),
    ... ]
"""
from typing import Optional, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

__all__ = ['CropFaceBox']

_INTERPOLATIONS = {
    'nearest': cv2.INTER_NEAREST,
    'bilinear': cv2.INTER_LINEAR,
    'bicubic': cv2.INTER_CUBIC,
}


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a ``2 x 3`` affine to ``(K, 2)`` points."""
    return points @ matrix[:, :2].T + matrix[:, 2]


@TRANSFORMS.register_module()
class CropFaceBox(BaseTransform):
    """Crop a square around the face, enlarged by ``scale``, and resize it.

    The square is centred on the centre of ``face_box`` (or, when the box is
    missing, of the extent of ``face_landmarks``); its side is the longer
    side of that box times ``scale``. Parts of the square outside the image
    are filled with zeros. The crop is resized to ``size x size`` and
    ``face_landmarks`` and ``face_box`` are mapped into its pixel
    coordinates (the box is not clipped to the crop).

    A sample with neither a box nor landmarks (``face_found=False``) never
    raises: the square of side ``max(H, W)`` centred on the whole image is
    used instead, so that batch shapes stay equal.

    With ``around='image'`` the square is the whole image's (side
    ``max(H, W)`` times ``scale``, centred on the image) whatever the face:
    a resize that still moves the landmarks, for data whose other
    pipelines resize the whole image.

    With ``scale_jitter`` or ``shift_jitter`` the crop is random (a view
    augmentation for pretraining): the side is multiplied by a factor drawn
    uniformly from ``[1 - scale_jitter, 1 + scale_jitter]`` and the centre
    moved by ``U(-shift_jitter, shift_jitter)`` times the side in x and in
    y, independently (``np.random``, as MMCV's random transforms).

    Reads ``img`` and, if present, ``face_box`` and ``face_landmarks``.
    Writes ``img``, ``img_shape`` (``(size, size)``), ``face_landmarks``
    (float32 ``(K, 2)``), ``face_box`` (float32 ``(4,)``) and
    ``face_crop_matrix`` (float32 ``2 x 3``, image to crop coordinates;
    apply it with ``pts @ m[:, :2].T + m[:, 2]``).

    Args:
        size (int): Side of the output crop in pixels. Defaults to 256.
        scale (float): Enlargement of the square about the box centre.
            Defaults to 1.25.
        interpolation (str): ``'nearest'``, ``'bilinear'`` or ``'bicubic'``.
            Defaults to ``'bilinear'``.
        around (str): ``'face'`` (the box or landmarks) or ``'image'``.
            Defaults to ``'face'``.
        scale_jitter (float): Relative range of the random side factor,
            in ``[0, 1)``. Defaults to 0 (no jitter).
        shift_jitter (float): Range of the random centre shift, as a
            fraction of the side, non-negative. Defaults to 0 (no jitter).

    Example:
        >>> import numpy as np
        >>> # the box spans pixels 40..59; the crop pixels 35..64, twice
        >>> results = dict(
        ...     img=np.zeros((100, 100, 3), np.uint8),
        ...     face_box=np.array([39.5, 39.5, 59.5, 59.5], np.float32),
        ...     face_landmarks=np.array([[50, 45]], np.float32))
        >>> out = CropFaceBox(size=60, scale=1.5)(results)
        >>> out['img'].shape, out['face_landmarks'].tolist()
        ((60, 60, 3), [[30.5, 20.5]])
    """

    def __init__(self,
                 size: int = 256,
                 scale: float = 1.25,
                 interpolation: str = 'bilinear',
                 around: str = 'face',
                 scale_jitter: float = 0.0,
                 shift_jitter: float = 0.0) -> None:
        if int(size) <= 0:
            raise ValueError(f'size must be positive, got {size}')
        if not scale > 0:
            raise ValueError(f'scale must be positive, got {scale}')
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f'interpolation must be one of {sorted(_INTERPOLATIONS)}, '
                f'got {interpolation!r}')
        if around not in ('face', 'image'):
            raise ValueError(
                f"around must be 'face' or 'image', got {around!r}")
        if not 0.0 <= scale_jitter < 1.0:
            raise ValueError(
                f'scale_jitter must be in [0, 1), got {scale_jitter}')
        if not shift_jitter >= 0.0:
            raise ValueError(
                f'shift_jitter must be non-negative, got {shift_jitter}')
        self.size = int(size)
        self.scale = float(scale)
        self.interpolation = interpolation
        self.around = around
        self.scale_jitter = float(scale_jitter)
        self.shift_jitter = float(shift_jitter)

    def crop_square(self, results: dict) -> Tuple[float, float, float]:
        """Centre ``(cx, cy)`` and side of the square to crop.

        Args:
            results (dict): The pipeline results.

        Returns:
            tuple[float, float, float]: ``cx``, ``cy`` and the side, in image
            coordinates.
        """
        box = results.get('face_box')
        points = results.get('face_landmarks')
        if self.around == 'image':
            height, width = results['img'].shape[:2]
            x1, y1, x2, y2 = -0.5, -0.5, width - 0.5, height - 0.5
            source = 'the image'
        elif box is not None:
            x1, y1, x2, y2 = np.asarray(box, dtype=np.float64).reshape(4)
            source = 'face_box'
        elif points is not None:
            points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
            (x1, y1), (x2, y2) = points.min(0), points.max(0)
            source = 'the extent of face_landmarks'
        else:
            height, width = results['img'].shape[:2]
            return ((width - 1) / 2, (height - 1) / 2,
                    float(max(height, width)))
        side = max(x2 - x1, y2 - y1) * self.scale
        if not (np.isfinite(side) and side > 0):
            raise ValueError(
                f'CropFaceBox: {source} ({x1}, {y1}, {x2}, {y2}) of '
                f'{results.get("img_path")} is empty or not finite.')
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        if self.scale_jitter:
            side *= np.random.uniform(1 - self.scale_jitter,
                                      1 + self.scale_jitter)
        if self.shift_jitter:
            dx, dy = np.random.uniform(-self.shift_jitter, self.shift_jitter,
                                       2)
            cx, cy = cx + dx * side, cy + dy * side
        return float(cx), float(cy), float(side)

    def crop_matrix(self, results: dict) -> np.ndarray:
        """The float64 ``2 x 3`` map from image to crop coordinates."""
        cx, cy, side = self.crop_square(results)
        k = self.size / side
        # The square's edges are half a pixel outside the centres of its
        # border pixels: ``cx - side / 2`` lands on the crop's left edge,
        # whose pixel-centre coordinate is -0.5.
        return np.array([[k, 0.0, -k * (cx - side / 2) - 0.5],
                         [0.0, k, -k * (cy - side / 2) - 0.5]])

    def transform(self, results: dict) -> dict:
        """Crop the face and move its box and landmarks with it.

        Args:
            results (dict): Pipeline results with ``img``.

        Returns:
            dict: The updated results.
        """
        matrix = self.crop_matrix(results)
        results['img'] = cv2.warpAffine(
            results['img'],
            matrix, (self.size, self.size),
            flags=_INTERPOLATIONS[self.interpolation],
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0)
        results['img_shape'] = (self.size, self.size)

        points: Optional[np.ndarray] = results.get('face_landmarks')
        if points is not None:
            points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
            results['face_landmarks'] = _apply(matrix,
                                               points).astype(np.float32)
        box = results.get('face_box')
        if box is not None:
            corners = np.asarray(box, dtype=np.float64).reshape(2, 2)
            results['face_box'] = _apply(matrix,
                                         corners).reshape(4).astype(
                                             np.float32)
        results['face_crop_matrix'] = matrix.astype(np.float32)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(size={self.size}, '
                f'scale={self.scale}, '
                f"interpolation='{self.interpolation}', "
                f"around='{self.around}', "
                f'scale_jitter={self.scale_jitter}, '
                f'shift_jitter={self.shift_jitter})')
