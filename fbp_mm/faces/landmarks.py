# Copyright (c) fbp_mm contributors. All rights reserved.
"""Facial landmarks: dlib's predictors, the 68-point convention's left and
right, and its 5-point subset.

The 68 points follow the iBUG 300-W order as seen on the image (the
subject's right side on the viewer's left): 0-16 jaw, 17-21 and 22-26
brows, 27-30 nose bridge, 31-35 nose base, 36-41 and 42-47 eyes, 48-59
outer lips, 60-67 inner lips.

Example:
    >>> import numpy as np
    >>> pts = np.random.default_rng(0).uniform(0, 100, (68, 2))
    >>> back = flip_landmarks(flip_landmarks(pts, 100), 100)
    >>> bool(np.allclose(back, pts))
    True
"""
from typing import Optional, Sequence, Union

import numpy as np

from .detectors import FaceDetection, _import_dlib, _rgb, check_image

__all__ = [
    'FLIP_PAIRS_68', 'flip_landmarks', 'five_point_subset',
    'DlibLandmarkPredictor'
]


def _pairs() -> tuple:
    pairs = [(i, 16 - i) for i in range(8)]  # jaw
    pairs += [(17 + i, 26 - i) for i in range(5)]  # brows
    pairs += [(31, 35), (32, 34)]  # nose base
    pairs += [(36, 45), (37, 44), (38, 43), (39, 42), (40, 47), (41, 46)]
    pairs += [(48, 54), (49, 53), (50, 52), (55, 59), (56, 58)]  # outer lip
    pairs += [(60, 64), (61, 63), (65, 67)]  # inner lip
    return tuple(pairs)


#: Index pairs that swap under a horizontal flip (the others stay).
FLIP_PAIRS_68 = _pairs()
_FLIP_ORDER = np.arange(68)
for _a, _b in FLIP_PAIRS_68:
    _FLIP_ORDER[_a], _FLIP_ORDER[_b] = _b, _a


def flip_landmarks(points: np.ndarray, width: float) -> np.ndarray:
    """The 68 landmarks of the horizontally flipped image.

    Mirrors the x coordinates (``x -> width - 1 - x``: pixel centres at
    integer coordinates, the convention of the fbp_mm datasets, of
    :class:`CropFaceBox` and of ``cv2`` drawing and sampling, under which
    ``cv2.flip`` moves the pixel at ``x`` to ``width - 1 - x``) and swaps
    left and right points so that the result is in the 68-point order
    again.

    Args:
        points (np.ndarray): ``(68, 2)`` ``(x, y)`` landmarks.
        width (float): Image width in pixels.

    Returns:
        np.ndarray: ``(68, 2)`` landmarks of the flipped image.
    """
    points = np.asarray(points)
    if points.shape != (68, 2):
        raise ValueError(f'flip_landmarks takes (68, 2) points, got an '
                         f'array of shape {points.shape}')
    flipped = points[_FLIP_ORDER].copy()
    flipped[:, 0] = width - 1 - flipped[:, 0]
    return flipped


def five_point_subset(points: np.ndarray) -> np.ndarray:
    """The five alignment points of 68 landmarks.

    Returns:
        np.ndarray: ``(5, 2)``: the viewer's left eye centre, the right eye
        centre (each the mean of its six points), the nose tip (30), the
        left and right mouth corners (48, 54).
    """
    points = np.asarray(points, dtype=np.float64)
    if points.shape != (68, 2):
        raise ValueError(f'five_point_subset takes (68, 2) points, got an '
                         f'array of shape {points.shape}')
    return np.stack([
        points[36:42].mean(0), points[42:48].mean(0), points[30], points[48],
        points[54]
    ])


class DlibLandmarkPredictor:
    """dlib's shape predictor for 68 (or its own 5) landmarks in a box.

    Args:
        num_points (int): 68 (``shape_predictor_68_face_landmarks.dat``,
            the order above) or 5 (``shape_predictor_5_face_landmarks.dat``:
            dlib's own five points, two corners per eye and the base of the
            nose; not the :func:`five_point_subset`). Defaults to 68.
        model (str, optional): Another predictor file. Defaults to the one
            in ``face-recognition-models``.

    Example:
        >>> # predictor = DlibLandmarkPredictor()
        >>> # points = predictor.predict(img, detector.detect(img)[0])
    """

    def __init__(self, num_points: int = 68,
                 model: Optional[str] = None) -> None:
        dlib, models = _import_dlib()
        if num_points == 68:
            default = models.pose_predictor_model_location()
        elif num_points == 5:
            default = models.pose_predictor_five_point_model_location()
        else:
            raise ValueError(f'num_points must be 68 or 5, got {num_points}')
        self.num_points = num_points
        self._dlib = dlib
        self.predictor = dlib.shape_predictor(model or default)

    def predict(self, img: np.ndarray,
                face: Union[FaceDetection, Sequence[float]]) -> np.ndarray:
        """Landmarks of the face in ``box``.

        Args:
            img (np.ndarray): BGR (or grey) ``uint8`` image.
            face (FaceDetection | sequence): The face or its
                ``(x1, y1, x2, y2)`` box.

        Returns:
            np.ndarray: ``(num_points, 2)`` float32 ``(x, y)``.
        """
        box = face.box if isinstance(face, FaceDetection) else face
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        rect = self._dlib.rectangle(x1, y1, x2 - 1, y2 - 1)
        shape = self.predictor(_rgb(check_image(img)), rect)
        return np.array([(p.x, p.y) for p in shape.parts()],
                        dtype=np.float32)
