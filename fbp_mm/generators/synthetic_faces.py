# Copyright (c) fbp_mm contributors. All rights reserved.
"""Procedural, seeded generator of a synthetic "face-like" beauty dataset.

The generator draws cartoon faces with OpenCV and gives each one a known,
noise-free "beauty" score computed from the geometry it was drawn with. The
written folder mirrors the official SCUT-FBP5500_v2 layout (``Images/``,
``train_test_files/...``) so every config, dataset class and tool that reads
SCUT-FBP5500 can be exercised end-to-end without the real (licensed) data.

The data is synthetic: it can show that a pipeline runs, that a model can
learn a score that depends on visible geometry, and how evaluation metrics
behave. It says nothing about real human faces or real beauty perception.

Only :mod:`numpy` and :mod:`cv2` are needed to draw; nothing is
registered in any MMPretrain registry.
"""
import csv
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from ..datasets.splits import (DEFAULT_SPLIT_SEED, DEFAULT_VAL_RATIO,
                               holdout_split)
from .cli import read_settings_file

__all__ = [
    'SCORE_WEIGHTS', 'LEVEL_EDGES', 'face_score', 'score_to_level',
    'sample_face_params', 'draw_face', 'face_geometry', 'face_landmarks',
    'face_attributes', 'ATTRIBUTES', 'generate_demo_faces',
    'demo_faces_complete'
]

# Value ranges of the geometry factors that drive the score.
EYE_SIZE_RANGE = (0.07, 0.14)  # eye half-width / face width
FACE_ASPECT_RANGE = (1.10, 1.60)  # face height / face width
EYE_SPACING_IDEAL = 0.46  # distance of eye centres / face width
EYE_SPACING_DEV = 0.12  # largest distance from the ideal spacing
MOUTH_WIDTH_RANGE = (0.28, 0.60)  # mouth width / face width
NOSE_SIZE_RANGE = (0.12, 0.30)  # nose length / face height

#: Weight of every factor in the score (they are normalised by their sum).
SCORE_WEIGHTS = {
    'eye_size': 1.0,
    'face_aspect': 0.8,
    'symmetry': 0.7,
    'eye_spacing': 0.5,
    'mouth_width': 0.5,
    'skin_smoothness': 0.2,
    'nose_size': 0.2,
}

#: Lower edges of beauty levels 1..4 (level 0 starts at 1.0).
LEVEL_EDGES = (1.8, 2.6, 3.4, 4.2)

#: The four SCUT-FBP5500 name prefixes (Asian/Caucasian, female/male).
GROUPS = ('AF', 'AM', 'CF', 'CM')

SPLIT_DIR = osp.join('train_test_files',
                     'split_of_60%training and 40%testing')
CV_DIR = osp.join('train_test_files', '5_folders_cross_validations_files')
SETTINGS_FILE = '.demo_faces.json'
# 2: levels/val.txt, held out of levels/train.txt; 3: landmarks.txt and
# attributes.txt; 4: partition.txt
FORMAT_VERSION = 4
#: The binary attributes of :func:`face_attributes`, in file order.
ATTRIBUTES = ('smiling', 'big_eyes', 'wide_mouth', 'long_hair')

# Light and dark BGR skin tones for Asian-like and Caucasian-like groups; a
# face takes a random mix of the two.
_SKIN_TONES = {
    'A': ((165.0, 200.0, 235.0), (70.0, 105.0, 150.0)),
    'C': ((185.0, 210.0, 245.0), (50.0, 80.0, 125.0)),
}
# BGR hair colours: black, dark brown, brown, auburn, blond, grey.
_HAIR_COLOURS = ((25.0, 25.0, 30.0), (30.0, 45.0, 70.0), (45.0, 75.0, 110.0),
                 (40.0, 60.0, 140.0), (90.0, 170.0, 210.0),
                 (150.0, 150.0, 155.0))
# BGR iris colours: brown, dark brown, blue, green, grey.
_IRIS_COLOURS = ((40.0, 70.0, 110.0), (25.0, 40.0, 60.0),
                 (170.0, 120.0, 60.0), (80.0, 130.0, 70.0),
                 (130.0, 130.0, 120.0))

_SHIFT = 4  # sub-pixel bits used by the OpenCV drawing calls
_ONE = 1 << _SHIFT


def _unit(value: float, low: float, high: float) -> float:
    """Map ``value`` from ``[low, high]`` to ``[0, 1]`` (clipped)."""
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def _score_terms(params: dict) -> Dict[str, float]:
    """Per-factor quality terms in ``[0, 1]`` (1 is the most attractive)."""
    spacing_dev = abs(params['eye_spacing'] - EYE_SPACING_IDEAL)
    return {
        'eye_size': _unit(params['eye_size'], *EYE_SIZE_RANGE),
        'face_aspect': _unit(params['face_aspect'], *FACE_ASPECT_RANGE),
        'symmetry': 1.0 - float(np.clip(params['asymmetry'], 0.0, 1.0)),
        'eye_spacing': 1.0 - _unit(spacing_dev, 0.0, EYE_SPACING_DEV),
        'mouth_width': _unit(params['mouth_width'], *MOUTH_WIDTH_RANGE),
        'skin_smoothness':
        1.0 - float(np.clip(params['skin_roughness'], 0.0, 1.0)),
        'nose_size': 1.0 - _unit(params['nose_size'], *NOSE_SIZE_RANGE),
    }


def face_score(params: dict) -> float:
    """Noise-free ground-truth beauty score of a synthetic face.

    Every geometry factor is turned into a quality term between 0 and 1,
    and the score is ``1 + 4 * (weighted mean of the terms)``, so it always
    lies in ``[1, 5]``. The terms and their weights are:

    - larger eyes are better: eye half-width relative to the face width,
      0.07 -> 0, 0.14 -> 1 (weight 1.0);
    - a slimmer, more oval face is better: face height / width,
      1.10 -> 0, 1.60 -> 1 (weight 0.8);
    - symmetry is better: ``1 - asymmetry``; asymmetry moves one eye up and
      the other down, shrinks one eye and tilts and shifts the mouth
      (weight 0.7);
    - eye spacing close to the ideal is better: distance of the eye centres
      relative to the face width, 1 at 0.46, falling linearly to 0 at
      0.46 +- 0.12 (weight 0.5);
    - a wider mouth is better: mouth width / face width, 0.28 -> 0,
      0.60 -> 1 (weight 0.5);
    - smoother skin is better: ``1 - skin_roughness`` (amplitude of the skin
      blotch texture) (weight 0.2);
    - a shorter nose is better: nose length / face height, 0.12 -> 1,
      0.30 -> 0 (weight 0.2).

    Values outside the ranges are clipped, so the result is bounded. Nuisance
    parameters (skin tone, background, hair, iris colour, pose, sensor noise,
    group) do not enter the score.

    Args:
        params (dict): Parameters as returned by :func:`sample_face_params`.
            Only ``eye_size``, ``face_aspect``, ``asymmetry``,
            ``eye_spacing``, ``mouth_width``, ``skin_roughness`` and
            ``nose_size`` are read.

    Returns:
        float: The score in ``[1, 5]``.

    Example:
        >>> import numpy as np
        >>> params = sample_face_params(np.random.default_rng(0))
        >>> 1.0 <= face_score(params) <= 5.0
        True
    """
    terms = _score_terms(params)
    total = sum(SCORE_WEIGHTS.values())
    mean = sum(SCORE_WEIGHTS[k] * terms[k] for k in SCORE_WEIGHTS) / total
    return float(np.clip(1.0 + 4.0 * mean, 1.0, 5.0))


def score_to_level(score: float) -> int:
    """Map a score in ``[1, 5]`` to one of five fixed beauty levels.

    The bins are ``[1, 1.8) -> 0``, ``[1.8, 2.6) -> 1``, ``[2.6, 3.4) -> 2``,
    ``[3.4, 4.2) -> 3`` and ``[4.2, 5] -> 4``.

    Args:
        score (float): Beauty score.

    Returns:
        int: The level in ``0..4``.

    Example:
        >>> score_to_level(1.0), score_to_level(3.4), score_to_level(5.0)
        (0, 3, 4)
    """
    return int(np.searchsorted(LEVEL_EDGES, score, side='right'))


def sample_face_params(rng: np.random.Generator,
                       group: Optional[str] = None) -> dict:
    """Draw all parameters of one synthetic face.

    A shared latent "attractiveness" ``g ~ N(0, 1)`` nudges all quality
    terms in the same direction (``t = clip(0.5 + 0.15 g + U(-0.35, 0.35))``)
    so the scores spread like real ratings (std about 0.7) instead of piling
    up at 3. Each geometry value is the inverse of its quality term in
    :func:`face_score`. Nuisance values are drawn independently.

    Args:
        rng (np.random.Generator): Source of randomness.
        group (str, optional): One of ``'AF', 'AM', 'CF', 'CM'``. It changes
            only nuisances (skin tone palette, long or short hair). Drawn at
            random if None. Defaults to None.

    Returns:
        dict: Flat dict of scalars (floats, ints and the ``group`` string),
        accepted by :func:`face_score` and :func:`draw_face`.

    Example:
        >>> import numpy as np
        >>> params = sample_face_params(np.random.default_rng(0), 'AF')
        >>> params['group'], 0.07 <= params['eye_size'] <= 0.14
        ('AF', True)
    """
    if group is None:
        group = GROUPS[int(rng.integers(len(GROUPS)))]
    if group not in GROUPS:
        raise ValueError(f'group must be one of {GROUPS}, got {group!r}')

    latent = rng.normal()
    terms = np.clip(0.5 + 0.15 * latent + rng.uniform(-0.35, 0.35, size=7),
                    0.0, 1.0)
    t_eye, t_aspect, t_sym, t_spacing, t_mouth, t_smooth, t_nose = terms

    def lerp(t: float, bounds: Tuple[float, float]) -> float:
        return float(bounds[0] + t * (bounds[1] - bounds[0]))

    spacing_sign = 1.0 if rng.random() < 0.5 else -1.0
    light, dark = (np.array(c) for c in _SKIN_TONES[group[0]])
    skin = dark + rng.uniform(0.0, 1.0) * (light - dark)
    skin = np.clip(skin + rng.normal(0, 6, size=3), 30, 250)
    bg_top = rng.uniform(20, 235, size=3)
    bg_bottom = np.clip(bg_top + rng.normal(0, 35, size=3), 0, 255)
    hair = np.clip(
        np.array(_HAIR_COLOURS[int(rng.integers(len(_HAIR_COLOURS)))]) +
        rng.normal(0, 10, size=3), 0, 255)
    iris = np.clip(
        np.array(_IRIS_COLOURS[int(rng.integers(len(_IRIS_COLOURS)))]) +
        rng.normal(0, 10, size=3), 0, 255)
    lips = np.clip(skin * np.array([0.55, 0.5, 0.85]) +
                   rng.normal(0, 8, size=3), 0, 255)

    params = {
        'group': group,
        # --- geometry that drives the score ---
        'eye_size': lerp(t_eye, EYE_SIZE_RANGE),
        'face_aspect': lerp(t_aspect, FACE_ASPECT_RANGE),
        'asymmetry': float(1.0 - t_sym),
        'eye_spacing': float(EYE_SPACING_IDEAL + spacing_sign *
                             (1.0 - t_spacing) * EYE_SPACING_DEV),
        'mouth_width': lerp(t_mouth, MOUTH_WIDTH_RANGE),
        'skin_roughness': float(1.0 - t_smooth),
        'nose_size': lerp(1.0 - t_nose, NOSE_SIZE_RANGE),
        # --- nuisances (no effect on the score) ---
        'asym_sign': 1 if rng.random() < 0.5 else -1,
        'long_hair': int(group[1] == 'F' or rng.random() < 0.1),
        'smile': float(rng.uniform(0.0, 1.0)),
        'brow_thickness': float(rng.uniform(0.6, 1.4)),
        'shift_x': float(rng.uniform(-0.05, 0.05)),
        'shift_y': float(rng.uniform(-0.04, 0.04)),
        'rotation': float(rng.uniform(-7.0, 7.0)),
        'scale': float(rng.uniform(0.93, 1.05)),
        'sensor_noise': float(rng.uniform(1.0, 6.0)),
        'noise_seed': int(rng.integers(0, 2**31 - 1)),
    }
    for prefix, colour in (('skin', skin), ('bg_top', bg_top),
                           ('bg_bottom', bg_bottom), ('hair', hair),
                           ('iris', iris), ('lips', lips)):
        for channel, value in zip('bgr', colour):
            params[f'{prefix}_{channel}'] = float(value)
    return params


def _colour(params: dict, prefix: str, factor: float = 1.0) -> Tuple:
    """Read a BGR colour stored as three scalars in ``params``."""
    return tuple(
        float(np.clip(params[f'{prefix}_{c}'] * factor, 0, 255))
        for c in 'bgr')


def _pt(x: float, y: float) -> Tuple[int, int]:
    """Fixed-point point for OpenCV calls that use ``shift=_SHIFT``."""
    return int(round(x * _ONE)), int(round(y * _ONE))


def _ellipse(img: np.ndarray,
             centre: Tuple[float, float],
             axes: Tuple[float, float],
             colour: Tuple,
             angle: float = 0.0,
             start: float = 0.0,
             end: float = 360.0,
             thickness: int = -1) -> None:
    """Anti-aliased sub-pixel ellipse (filled when ``thickness < 0``)."""
    cv2.ellipse(img, _pt(*centre), _pt(max(axes[0], 0.3), max(axes[1], 0.3)),
                angle, start, end, colour, thickness, cv2.LINE_AA, _SHIFT)


def _polyline(img: np.ndarray, points: Sequence[Tuple[float, float]],
              colour: Tuple, thickness: int) -> None:
    """Anti-aliased open polyline through float points."""
    pts = np.array([_pt(x, y) for x, y in points], dtype=np.int32)
    cv2.polylines(img, [pts], False, colour, max(int(thickness), 1),
                  cv2.LINE_AA, _SHIFT)


def _draw_eye(img: np.ndarray, centre: Tuple[float, float], half_w: float,
              params: dict, angle: float) -> None:
    """Sclera, iris, pupil, highlight and upper lid line of one eye."""
    half_h = 0.62 * half_w
    outline = (35.0, 35.0, 40.0)
    _ellipse(img, centre, (half_w, half_h), (245.0, 245.0, 245.0), angle)
    iris_r = 0.95 * half_h
    _ellipse(img, centre, (iris_r, iris_r), _colour(params, 'iris'))
    _ellipse(img, centre, (0.45 * iris_r, 0.45 * iris_r), (15.0, 15.0, 15.0))
    glint = (centre[0] + 0.3 * iris_r, centre[1] - 0.3 * iris_r)
    _ellipse(img, glint, (0.18 * iris_r, 0.18 * iris_r),
             (250.0, 250.0, 250.0))
    lid = max(int(round(half_w / 5.0)), 1)
    _ellipse(img, centre, (half_w, half_h), outline, angle, 180, 360, lid)


def face_geometry(params: dict, size: int = 128) -> dict:
    """Where :func:`draw_face` puts each facial part, in pixels.

    The values are in the canonical (upright, centred) frame the face is
    drawn in; ``matrix`` is the pose-jitter affine warp that maps that
    frame to the image (see :func:`face_landmarks`).

    Args:
        params (dict): Parameters as returned by :func:`sample_face_params`.
        size (int): Image size. Defaults to 128.

    Returns:
        dict: ``cx, cy, half_w, half_h`` (face ellipse); ``eyes``: two
        ``(x, y, half_width)`` (image left first); ``brows``: two
        ``(x, y, half_width, half_height)`` arcs; ``nose_x, nose_top,
        nose_len, nose_w``; ``mouth_x, mouth_y, mouth_w, lip_h, tilt,
        smile``; ``matrix`` (2 x 3).

    Example:
        >>> import numpy as np
        >>> geo = face_geometry(sample_face_params(np.random.default_rng(1)))
        >>> geo['eyes'][0][0] < geo['cx'] < geo['eyes'][1][0]
        True
    """
    s = float(size)
    cx, cy = 0.5 * s, 0.53 * s
    half_h = 0.34 * s
    half_w = half_h / params['face_aspect']
    face_w = 2.0 * half_w
    sign = params['asym_sign']
    asym = float(np.clip(params['asymmetry'], 0.0, 1.0))
    # Eyes (one moved and shrunk by the asymmetry) and the brows above.
    eye_y = cy - 0.08 * half_h
    eye_dx = 0.5 * params['eye_spacing'] * face_w
    eye_hw = params['eye_size'] * face_w
    dy = sign * asym * 0.10 * half_h
    eyes = ((cx - eye_dx, eye_y + dy, eye_hw),
            (cx + eye_dx, eye_y - dy, eye_hw * (1.0 - 0.35 * asym)))
    brows = tuple((ex, ey - 0.62 * ew - 0.13 * half_h + 0.3 * ew, ew * 1.15,
                   0.45 * ew) for ex, ey, ew in eyes)
    # Nose: a bridge line and a base arc.
    nose_len = params['nose_size'] * 2.0 * half_h
    nose_top = eye_y + 0.05 * half_h
    # Mouth: lips tilted and shifted by the asymmetry.
    mouth_w = params['mouth_width'] * face_w
    lip_h = 0.10 * mouth_w + 0.03 * half_h
    matrix = cv2.getRotationMatrix2D((cx, cy), params['rotation'],
                                     params['scale'])
    matrix[0, 2] += params['shift_x'] * s
    matrix[1, 2] += params['shift_y'] * s
    return dict(
        cx=cx, cy=cy, half_w=half_w, half_h=half_h, eyes=eyes, brows=brows,
        nose_x=cx + sign * asym * 0.06 * half_w, nose_top=nose_top,
        nose_len=nose_len, nose_w=0.09 * face_w + 0.25 * nose_len,
        mouth_x=cx - sign * asym * 0.08 * half_w,
        mouth_y=max(cy + 0.52 * half_h, nose_top + nose_len + 0.06 * half_h),
        mouth_w=mouth_w, lip_h=lip_h, tilt=sign * asym * 14.0,
        smile=0.5 * lip_h * (0.4 + params['smile']), matrix=matrix)


def _arc(centre: Tuple[float, float], axes: Tuple[float, float],
         degrees: Sequence[float], angle: float = 0.0) -> np.ndarray:
    """Points of an ellipse at the given parameter angles, the way
    ``cv2.ellipse`` places them (``angle`` rotates the ellipse)."""
    t = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    a = np.deg2rad(angle)
    x, y = axes[0] * np.cos(t), axes[1] * np.sin(t)
    return np.stack([
        centre[0] + x * np.cos(a) - y * np.sin(a),
        centre[1] + x * np.sin(a) + y * np.cos(a)
    ], axis=1)


def face_landmarks(params: dict, size: int = 128) -> np.ndarray:
    """The 68 landmarks of a synthetic face, as drawn by :func:`draw_face`.

    The points follow the 68-point (iBUG 300-W) convention, read on the
    image as a viewer sees it (the subject's right side is on the left):
    0-16 jaw (the lower half of the face outline, left to right through the
    chin at 8), 17-21 and 22-26 the brows (left to right), 27-30 the nose
    bridge down to the tip, 31-35 the nose base (left to right), 36-41 and
    42-47 the eyes (each from its left corner over the upper lid to the
    right corner and back under the lower lid), 48-59 the outer lips and
    60-67 the inner lips (from the left corner, upper then lower; the
    mouth is closed, so the inner upper and lower points coincide on the
    drawn lip line). Every point is mapped by the same pose warp as the
    pixels.

    Args:
        params (dict): Parameters as returned by :func:`sample_face_params`.
        size (int): Image size. Defaults to 128.

    Returns:
        np.ndarray: ``(68, 2)`` float32 ``(x, y)`` pixel positions.

    Example:
        >>> import numpy as np
        >>> pts = face_landmarks(sample_face_params(np.random.default_rng(1)))
        >>> pts.shape, bool(pts[36:42, 1].mean() < pts[48:60, 1].mean())
        ((68, 2), True)
    """
    geo = face_geometry(params, size)
    cx, cy, half_w, half_h = geo['cx'], geo['cy'], geo['half_w'], geo[
        'half_h']
    parts = [_arc((cx, cy), (half_w, half_h), np.linspace(180, 0, 17))]
    for bx, by, bw, bh in geo['brows']:
        parts.append(_arc((bx, by), (bw, bh), np.linspace(200, 340, 5)))
    nose_x, nose_top, nose_len, nose_w = (geo['nose_x'], geo['nose_top'],
                                          geo['nose_len'], geo['nose_w'])
    bridge = np.linspace(0.0, 1.0, 4)[:, None]
    parts.append((1 - bridge) * [nose_x - 0.1 * nose_w, nose_top] +
                 bridge * [nose_x - 0.25 * nose_w, nose_top + nose_len])
    parts.append(
        _arc((nose_x, nose_top + nose_len), (0.5 * nose_w, 0.22 * nose_w),
             np.linspace(170, 10, 5)))
    for ex, ey, ew in geo['eyes']:
        parts.append(
            _arc((ex, ey), (ew, 0.62 * ew), (180, 240, 300, 0, 60, 120)))
    mouth = (geo['mouth_x'], geo['mouth_y'])
    half_mouth, tilt, smile = 0.5 * geo['mouth_w'], geo['tilt'], geo['smile']
    parts.append(
        _arc(mouth, (half_mouth, geo['lip_h']),
             (180, 210, 240, 270, 300, 330, 0, 30, 60, 90, 120, 150), tilt))
    # The lip line is drawn as the lower arc of an ellipse centred above
    # the mouth centre (see draw_face).
    parts.append(
        _arc((mouth[0], mouth[1] - smile), (half_mouth, smile),
             (165, 135, 90, 45, 15, 45, 90, 135), tilt))
    points = np.concatenate(parts)
    warped = points @ geo['matrix'][:, :2].T + geo['matrix'][:, 2]
    return warped.astype(np.float32)


def face_attributes(params: dict) -> Dict[str, int]:
    """Binary attributes of a synthetic face, read off its parameters.

    ``smiling``: the smile parameter is above 0.5 (a deeper lip line);
    ``big_eyes``: the eye size is above the middle of its range;
    ``wide_mouth``: the mouth width is above the middle of its range;
    ``long_hair``: drawn with long hair.

    Args:
        params (dict): Parameters as returned by :func:`sample_face_params`.

    Returns:
        dict: ``{name: 0 or 1}`` for each name of :data:`ATTRIBUTES`.

    Example:
        >>> import numpy as np
        >>> sorted(face_attributes(sample_face_params(
        ...     np.random.default_rng(1))))
        ['big_eyes', 'long_hair', 'smiling', 'wide_mouth']
    """
    return dict(
        smiling=int(params['smile'] > 0.5),
        big_eyes=int(params['eye_size'] > sum(EYE_SIZE_RANGE) / 2),
        wide_mouth=int(params['mouth_width'] > sum(MOUTH_WIDTH_RANGE) / 2),
        long_hair=int(bool(params['long_hair'])))


def draw_face(params: dict, size: int = 128) -> np.ndarray:
    """Render one synthetic face.

    The face is drawn in a canonical frame (centred, upright; see
    :func:`face_geometry`) and then moved by the pose jitter (shift,
    rotation, scale) with one affine warp; sensor noise is added last. The
    drawing is a pure function of ``params`` and ``size`` (the texture
    noise comes from ``params['noise_seed']``).

    Args:
        params (dict): Parameters as returned by :func:`sample_face_params`.
        size (int): Height and width of the square image. Defaults to 128.

    Returns:
        np.ndarray: ``size x size x 3`` uint8 image in BGR order.

    Example:
        >>> import numpy as np
        >>> img = draw_face(sample_face_params(np.random.default_rng(1)), 64)
        >>> img.shape, img.dtype
        ((64, 64, 3), dtype('uint8'))
    """
    size = int(size)
    rng = np.random.default_rng(params['noise_seed'])
    s = float(size)
    geo = face_geometry(params, size)

    # Background: vertical gradient between two colours.
    ramp = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    top = np.array(_colour(params, 'bg_top'), dtype=np.float32)
    bottom = np.array(_colour(params, 'bg_bottom'), dtype=np.float32)
    img = np.ascontiguousarray(
        np.broadcast_to(top + ramp * (bottom - top), (size, size, 3)))

    cx, cy, half_w, half_h = geo['cx'], geo['cy'], geo['half_w'], geo[
        'half_h']
    skin = _colour(params, 'skin')
    hair = _colour(params, 'hair')

    # Neck and back hair lie behind the face.
    neck_w = 0.55 * half_w
    cv2.rectangle(img, _pt(cx - neck_w, cy + 0.6 * half_h),
                  _pt(cx + neck_w, s + 2), _colour(params, 'skin', 0.85), -1,
                  cv2.LINE_AA, _SHIFT)
    if params['long_hair']:
        _ellipse(img, (cx, cy + 0.05 * half_h),
                 (half_w * 1.3, half_h * 1.15), hair)
    else:
        _ellipse(img, (cx, cy - 0.2 * half_h), (half_w * 1.1, half_h * 0.9),
                 hair)

    # Ears and face.
    ear = (0.16 * half_w, 0.22 * half_h)
    for side in (-1.0, 1.0):
        _ellipse(img, (cx + side * 0.97 * half_w, cy - 0.02 * half_h), ear,
                 _colour(params, 'skin', 0.92))
    _ellipse(img, (cx, cy), (half_w, half_h), skin)

    # Skin texture: low-frequency blotches inside the face, amplitude set by
    # the roughness (part of the score), plus fine pores.
    mask = np.zeros((size, size), np.float32)
    _ellipse(mask, (cx, cy), (half_w, half_h), (1.0, ))
    grid = max(size // 10, 2)
    blotch = cv2.resize(
        rng.standard_normal((grid, grid)).astype(np.float32), (size, size),
        interpolation=cv2.INTER_CUBIC)
    pores = rng.standard_normal((size, size)).astype(np.float32)
    texture = (26.0 * params['skin_roughness'] * blotch +
               (2.0 + 6.0 * params['skin_roughness']) * pores) * mask
    img += texture[..., None]

    # Eyes and brows.
    brow = max(int(round(params['brow_thickness'] * s / 64.0)), 1)
    for (ex, ey, ew), (bx, by, bw, bh) in zip(geo['eyes'], geo['brows']):
        _draw_eye(img, (ex, ey), ew, params, 0.0)
        _ellipse(img, (bx, by), (bw, bh), _colour(params, 'hair', 0.9), 0,
                 200, 340, brow)

    # Nose: a bridge line and a base arc.
    nose_x, nose_top = geo['nose_x'], geo['nose_top']
    nose_len, nose_w = geo['nose_len'], geo['nose_w']
    shade = _colour(params, 'skin', 0.62)
    line = max(int(round(s / 90.0)), 1)
    _polyline(img, [(nose_x - 0.1 * nose_w, nose_top),
                    (nose_x - 0.25 * nose_w, nose_top + nose_len)], shade,
              line)
    _ellipse(img, (nose_x, nose_top + nose_len), (0.5 * nose_w,
                                                  0.22 * nose_w), shade, 0,
             10, 170, line)

    # Mouth: filled lips and the smile line.
    mouth_x, mouth_y, mouth_w = geo['mouth_x'], geo['mouth_y'], geo['mouth_w']
    lip_h, tilt, smile = geo['lip_h'], geo['tilt'], geo['smile']
    lips = _colour(params, 'lips')
    _ellipse(img, (mouth_x, mouth_y), (0.5 * mouth_w, lip_h), lips, tilt)
    _ellipse(img, (mouth_x, mouth_y - smile), (0.5 * mouth_w, smile),
             _colour(params, 'lips', 0.55), tilt, 15, 165, line)

    # Hair fringe over the top of the forehead.
    _ellipse(img, (cx, cy - 0.62 * half_h), (half_w * 1.04, half_h * 0.42),
             hair, 0, 180, 360)

    # Pose jitter: one affine warp about the face centre.
    img = cv2.warpAffine(
        img, geo['matrix'], (size, size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE)

    noise = rng.standard_normal((size, size, 3)).astype(np.float32)
    img += params['sensor_noise'] * noise
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)


def _settings(num_labeled: int, num_unlabeled: int, size: int, seed: int,
              noise_std: float) -> dict:
    return {
        'format_version': FORMAT_VERSION,
        'num_labeled': int(num_labeled),
        'num_unlabeled': int(num_unlabeled),
        'size': int(size),
        'seed': int(seed),
        'noise_std': float(noise_std),
    }


def _labeled_names(num: int) -> List[str]:
    """SCUT-FBP5500-like names: AF1, AM1, CF1, CM1, AF2, ..."""
    return [
        f'{GROUPS[i % len(GROUPS)]}{i // len(GROUPS) + 1}'
        for i in range(num)
    ]


def _write_lines(path: str, lines: Sequence[str]) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        f.write(''.join(line + '\n' for line in lines))


def _write_jpeg(path: str, img: np.ndarray) -> None:
    ok, buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:
        raise RuntimeError(f'Failed to encode {path}')
    with open(path, 'wb') as f:
        f.write(buf.tobytes())


def _readme(settings: dict) -> str:
    return f"""# Synthetic demo faces (SCUT-FBP5500 layout)

This folder was written by `fbp_mm.generators.synthetic_faces` (settings:
{json.dumps(settings)}). **All images are synthetic cartoon faces drawn
with OpenCV; no real person is shown and no real rating is used.**

## Score
Each face gets a noise-free score `1 + 4 * weighted mean of quality terms`
in [1, 5]; each term is in [0, 1]:

| factor | better when | weight |
| --- | --- | --- |
| eye size (eye half-width / face width, 0.07..0.14) | larger | 1.0 |
| face aspect (height / width, 1.10..1.60) | slimmer | 0.8 |
| symmetry (1 - asymmetry of eyes and mouth) | more symmetric | 0.7 |
| eye spacing (eye distance / face width) | close to 0.46 | 0.5 |
| mouth width (/ face width, 0.28..0.60) | wider | 0.5 |
| skin smoothness (1 - texture amplitude) | smoother | 0.2 |
| nose length (/ face height, 0.12..0.30) | shorter | 0.2 |

The label is that score plus Gaussian noise (std {settings['noise_std']}),
clipped to [1, 5]. Skin tone, background, hair, iris colour, pose jitter,
sensor noise and the AF/AM/CF/CM group do not change the score.
`All_Ratings.csv` lists every label with its parameters and noise-free score.

## Files
- `Images/*.jpg`, `train_test_files/...`: the labeled set and the 60/40 and
  5-fold splits, in the official SCUT-FBP5500_v2 format (`<name>.jpg <score>`).
- `levels/{{train,val,test}}.txt`: five fixed-bin levels (`Images/<name>.jpg
  <level>`, bins [1,1.8,2.6,3.4,4.2,5]) on the same 60/40 split; `val.txt`
  holds out the images that `SCUTFBP5500(split='val')` holds out of the 60%
  training list (10%, seed 0) and `train.txt` is the rest of it. Select
  checkpoints on val, never on test.
- `unlabeled/*.jpg`, `unlabeled.txt`: an extra pool without labels.
- `landmarks.txt`: `<image> x0 y0 ... x67 y67` for every image (labeled and
  unlabeled): where the generator drew the jaw, brows, nose, eyes and lips,
  in the 68-point (iBUG 300-W) order, in pixels of the written image.
- `attributes.txt`: binary attributes of every image in CelebA's
  `list_attr_celeba.txt` layout (the count, the names, then `<image>` and
  1 / -1 per attribute): smiling (smile parameter above 0.5), big_eyes and
  wide_mouth (eye size, mouth width above the middle of their ranges),
  long_hair.
- `partition.txt`: CelebA's `list_eval_partition.txt` layout for the
  labeled images (`<image> 0|1|2`: train, val, test), the same three splits
  as `levels/`, for the attribute and landmark tasks.

## What it can and cannot show
It can show that training, evaluation and tools run end to end, that a model
learns a score carried by visible geometry, and how metrics (PLCC, SRCC, MAE,
RMSE) behave against a known ceiling set by the label noise. It cannot show
anything about accuracy on real faces, about human beauty perception, or about
fairness across real demographic groups; numbers obtained on it must never be
reported as SCUT-FBP5500 results.
"""


def demo_faces_complete(out_dir: str,
                        num_labeled: int = 2000,
                        num_unlabeled: int = 1000,
                        size: int = 128,
                        seed: int = 0,
                        noise_std: float = 0.15) -> bool:
    """Whether ``out_dir`` holds a finished dataset written with these
    settings.

    The settings file is written last by :func:`generate_demo_faces`, so a
    run that was interrupted is reported as incomplete. The list files and
    images are checked to exist too.

    Args:
        out_dir (str): Dataset folder.
        num_labeled (int): Number of labeled images. Defaults to 2000.
        num_unlabeled (int): Number of unlabeled images. Defaults to 1000.
        size (int): Image size in pixels. Defaults to 128.
        seed (int): Random seed. Defaults to 0.
        noise_std (float): Label noise std. Defaults to 0.15.

    Returns:
        bool: True if nothing needs to be generated.

    Example:
        >>> demo_faces_complete('/nonexistent/folder')
        False
    """
    stored = read_settings_file(osp.join(out_dir, SETTINGS_FILE))
    wanted = _settings(num_labeled, num_unlabeled, size, seed, noise_std)
    if stored is None or stored.get('settings') != wanted:
        return False
    files = [osp.join(out_dir, p) for p in stored.get('files', [])]
    names = _labeled_names(num_labeled)
    files += [osp.join(out_dir, 'Images', f'{n}.jpg') for n in names]
    files += [
        osp.join(out_dir, 'unlabeled', f'U{i + 1}.jpg')
        for i in range(num_unlabeled)
    ]
    return all(osp.isfile(p) for p in files)


def generate_demo_faces(
        out_dir: str,
        num_labeled: int = 2000,
        num_unlabeled: int = 1000,
        size: int = 128,
        seed: int = 0,
        noise_std: float = 0.15,
        progress: Optional[Callable[[int, int], None]] = None) -> dict:
    """Write a synthetic face beauty dataset in the SCUT-FBP5500 layout.

    Written files (relative to ``out_dir``)::

        Images/<name>.jpg               labeled images (JPEG quality 95)
        train_test_files/split_of_60%training and 40%testing/{train,test}.txt
        train_test_files/5_folders_cross_validations_files/
            cross_validation_{k}/{train,test}_{k}.txt      k = 1..5
        All_Ratings.csv                 name, score, parameters, clean score
        levels/{train,val,test}.txt     "Images/<name>.jpg <level 0..4>"
        unlabeled/U<i>.jpg, unlabeled.txt
        landmarks.txt                   "<image> x0 y0 ... x67 y67" for every
                                        image (see face_landmarks)
        attributes.txt                  CelebA's list_attr layout: count,
                                        names, "<image> 1/-1 ..." for every
                                        image (see face_attributes)
        partition.txt                   CelebA's list_eval_partition layout
                                        for the labeled images: "<image>
                                        0|1|2" (train, val, test as levels/)
        README.md, .demo_faces.json     description and settings (last)

    Names cycle through the groups ``AF, AM, CF, CM`` with a running number
    per group (``AF1, AM1, CF1, CM1, AF2, ...``). A label is
    ``clip(face_score + N(0, noise_std), 1, 5)`` rounded to 6 decimals and
    split lines read ``<name>.jpg <score %.6f>``. The 60/40 split takes the
    first 60% of a seeded permutation for training; the 5 folds cut another
    seeded permutation into 5 parts (equal when ``num_labeled`` is a
    multiple of 5) and fold ``k`` tests on part ``k``. The level lists use
    the 60/40 split too; ``levels/val.txt`` holds the images of the 60%
    training list that :class:`fbp_mm.datasets.SCUTFBP5500` holds out as
    its default ``split='val'`` (``val_ratio=0.1, split_seed=0``) and
    ``levels/train.txt`` the other training images, so both tasks select
    checkpoints on the same faces and never on the test split. Everything,
    including
    the JPEG bytes, is a pure function of the arguments. Files already in
    ``out_dir`` that this function does not write are left alone.

    Args:
        out_dir (str): Output folder (created if needed).
        num_labeled (int): Number of labeled images. Defaults to 2000.
        num_unlabeled (int): Number of unlabeled images. Defaults to 1000.
        size (int): Image height and width. Defaults to 128.
        seed (int): Random seed. Defaults to 0.
        noise_std (float): Std of the Gaussian label noise. Defaults to 0.15.
        progress (Callable[[int, int], None], optional): Called after every
            image with ``(done, total)``. Defaults to None.

    Returns:
        dict: Summary with the settings, the counts (``num_train``: the
        official 60% training list, ``num_val``: the part of it held out
        for validation, ``num_test``, ...), score statistics and the main
        paths.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     info = generate_demo_faces(tmp, 20, 5, size=32)
        >>> info['num_train'], info['num_test'], info['num_unlabeled']
        (12, 8, 5)
    """
    if num_labeled < 5:
        raise ValueError('num_labeled must be at least 5 for the 5 folds')
    if num_unlabeled < 0:
        raise ValueError('num_unlabeled must not be negative')
    settings = _settings(num_labeled, num_unlabeled, size, seed, noise_std)
    os.makedirs(out_dir, exist_ok=True)
    settings_path = osp.join(out_dir, SETTINGS_FILE)
    if osp.exists(settings_path):
        os.remove(settings_path)  # mark as incomplete while writing
    img_dir = osp.join(out_dir, 'Images')
    unl_dir = osp.join(out_dir, 'unlabeled')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(unl_dir, exist_ok=True)

    total = num_labeled + num_unlabeled
    names = _labeled_names(num_labeled)
    all_params = []
    landmark_lines: List[str] = []
    attribute_lines: List[str] = []

    def describe(rel: str, params: dict) -> None:
        points = face_landmarks(params, size).reshape(-1)
        landmark_lines.append(rel + ''.join(f' {v:.2f}' for v in points))
        attrs = face_attributes(params)
        attribute_lines.append(rel + ''.join(
            f' {1 if attrs[a] else -1:2d}' for a in ATTRIBUTES))

    for i, name in enumerate(names):
        rng = np.random.default_rng([seed, 0, i])
        params = sample_face_params(rng, name[:2])
        all_params.append(params)
        _write_jpeg(osp.join(img_dir, f'{name}.jpg'), draw_face(params, size))
        describe(f'Images/{name}.jpg', params)
        if progress is not None:
            progress(i + 1, total)

    clean = np.array([face_score(p) for p in all_params])
    noise = np.random.default_rng([seed, 2]).normal(0.0, noise_std,
                                                    size=num_labeled)
    scores = np.round(np.clip(clean + noise, 1.0, 5.0), 6)

    def score_line(idx: int) -> str:
        return f'{names[idx]}.jpg {scores[idx]:.6f}'

    written = []

    def write(rel: str, lines: Sequence[str]) -> None:
        _write_lines(osp.join(out_dir, rel), lines)
        written.append(rel)

    perm = np.random.default_rng([seed, 3]).permutation(num_labeled)
    num_train = int(round(0.6 * num_labeled))
    train_idx, test_idx = perm[:num_train], perm[num_train:]
    write(osp.join(SPLIT_DIR, 'train.txt'), [score_line(i) for i in train_idx])
    write(osp.join(SPLIT_DIR, 'test.txt'), [score_line(i) for i in test_idx])
    is_val = holdout_split([f'{names[i]}.jpg' for i in train_idx],
                           DEFAULT_VAL_RATIO, DEFAULT_SPLIT_SEED)

    def level_line(idx: int) -> str:
        return f'Images/{names[idx]}.jpg {score_to_level(scores[idx])}'

    write(
        osp.join('levels', 'train.txt'),
        [level_line(i) for i, v in zip(train_idx, is_val) if not v])
    write(
        osp.join('levels', 'val.txt'),
        [level_line(i) for i, v in zip(train_idx, is_val) if v])
    write(osp.join('levels', 'test.txt'), [level_line(i) for i in test_idx])
    part = np.full(num_labeled, 2)
    part[train_idx] = np.where(is_val, 1, 0)
    write('partition.txt',
          [f'Images/{n}.jpg {p}' for n, p in zip(names, part)])

    folds = np.array_split(
        np.random.default_rng([seed, 4]).permutation(num_labeled), 5)
    for k in range(1, 6):
        fold_dir = osp.join(CV_DIR, f'cross_validation_{k}')
        rest = np.concatenate([f for j, f in enumerate(folds) if j != k - 1])
        write(
            osp.join(fold_dir, f'train_{k}.txt'),
            [score_line(i) for i in rest])
        write(
            osp.join(fold_dir, f'test_{k}.txt'),
            [score_line(i) for i in folds[k - 1]])

    columns = [k for k in all_params[0] if k != 'group']
    with open(
            osp.join(out_dir, 'All_Ratings.csv'),
            'w',
            encoding='utf-8',
            newline='') as f:
        writer = csv.writer(f, lineterminator='\n')
        writer.writerow(['name', 'score', 'group'] + columns + ['clean_score'])
        for idx, params in enumerate(all_params):
            values = [
                v if isinstance(v, int) else f'{v:.6f}'
                for v in (params[c] for c in columns)
            ]
            writer.writerow([names[idx], f'{scores[idx]:.6f}', params['group']]
                            + values + [f'{clean[idx]:.6f}'])
    written.append('All_Ratings.csv')

    unl_names = [f'U{i + 1}' for i in range(num_unlabeled)]
    for i, name in enumerate(unl_names):
        rng = np.random.default_rng([seed, 1, i])
        params = sample_face_params(rng)
        _write_jpeg(osp.join(unl_dir, f'{name}.jpg'), draw_face(params, size))
        describe(f'unlabeled/{name}.jpg', params)
        if progress is not None:
            progress(num_labeled + i + 1, total)
    write('unlabeled.txt', [f'unlabeled/{n}.jpg' for n in unl_names])
    write('landmarks.txt', landmark_lines)
    write('attributes.txt', [str(len(attribute_lines)), ' '.join(ATTRIBUTES)]
          + attribute_lines)

    with open(osp.join(out_dir, 'README.md'), 'w', encoding='utf-8') as f:
        f.write(_readme(settings))
    written.append('README.md')

    with open(settings_path, 'w', encoding='utf-8') as f:
        json.dump({'settings': settings, 'files': written}, f, indent=2)

    levels = np.array([score_to_level(s) for s in scores])
    return {
        'out_dir': out_dir,
        'settings': settings,
        'num_labeled': num_labeled,
        'num_unlabeled': num_unlabeled,
        'num_train': int(len(train_idx)),
        'num_test': int(len(test_idx)),
        'num_val': int(sum(is_val)),
        'fold_sizes': [int(len(f)) for f in folds],
        'score_mean': float(scores.mean()),
        'score_std': float(scores.std()),
        'score_min': float(scores.min()),
        'score_max': float(scores.max()),
        'level_counts': [int((levels == k).sum()) for k in range(5)],
        'image_dir': img_dir,
        'unlabeled_dir': unl_dir,
        'train_file': osp.join(out_dir, SPLIT_DIR, 'train.txt'),
        'test_file': osp.join(out_dir, SPLIT_DIR, 'test.txt'),
        'ratings_file': osp.join(out_dir, 'All_Ratings.csv'),
        'settings_file': settings_path,
    }
