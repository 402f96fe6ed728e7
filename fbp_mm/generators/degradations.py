# Copyright (c) fbp_mm contributors. All rights reserved.
"""Graded, seeded image degradations and their ground-truth quality score.

Every degradation takes a BGR (or grey) ``uint8`` image, a strength in
``[0, 1]`` and a :class:`numpy.random.Generator`, and returns a new
``uint8`` image of the same shape. Strength 0 returns an unchanged copy;
strength 1 is the harshest setting. Sizes (blur widths, occluder areas,
downscale targets) are relative to the image size, so a strength means
the same visual damage at 64 px and at 512 px.

The random draws of a call do not depend on the strength: the same seed
gives the same blur angle, noise pattern, exposure direction and occluder
positions at every strength, so a stronger call only damages more.

:func:`quality_score` turns the strengths that were applied to an image
into its documented ground-truth quality in ``(0, 1]``.

Only :mod:`numpy` and :mod:`cv2` are needed. The registered transform
:class:`fbp_mm.datasets.transforms.RandomFaceDegradation` applies these
functions to ``results['img']`` as training augmentation.
"""
import math
from typing import Callable, Dict, Mapping, Optional, Tuple, Union

import cv2
import numpy as np

__all__ = [
    'QUALITY_WEIGHTS', 'BASE_DEGRADATIONS', 'DEGRADATIONS', 'APPLY_ORDER',
    'gaussian_blur', 'motion_blur', 'jpeg', 'gaussian_noise', 'downscale',
    'exposure', 'occlusion', 'mixed', 'sample_mixed_strengths',
    'apply_degradations', 'quality_score'
]

#: How much each degradation type can lower the quality: at strength ``s``
#: the image keeps the factor ``1 - w * s`` of its quality. All weights lie
#: strictly between 0 and 1, which makes :func:`quality_score` strictly
#: decreasing in every strength and always positive.
QUALITY_WEIGHTS = {
    'gaussian_blur': 0.85,
    'motion_blur': 0.85,
    'jpeg': 0.65,
    'gaussian_noise': 0.70,
    'downscale': 0.80,
    'exposure': 0.70,
    'occlusion': 0.75,
}

# Largest settings, reached at strength 1.
BLUR_SIGMA = 0.035  # Gaussian sigma / shorter image side
MOTION_LENGTH = 0.12  # motion path length / shorter image side
JPEG_QUALITY_RANGE = (95, 5)  # JPEG quality at strength 0+ and 1
NOISE_SIGMA = 40.0  # noise std in grey levels (0..255)
DOWNSCALE_FACTOR = 8.0  # shrink factor (per side)
EXPOSURE_STOPS = 2.0  # exposure change in stops (factor 2 ** stops)
OCCLUSION_AREA = 0.5  # fraction of the image covered

Strength = Union[float, int]


def _check(img: np.ndarray, strength: Strength) -> float:
    """Validate the image and the strength; return the strength as float."""
    if not isinstance(img, np.ndarray) or img.dtype != np.uint8:
        raise TypeError('img must be a uint8 numpy array')
    if img.ndim not in (2, 3) or img.shape[0] < 2 or img.shape[1] < 2:
        raise ValueError(f'img must be HxW or HxWxC, got shape {img.shape}')
    strength = float(strength)
    if not 0.0 <= strength <= 1.0:  # also rejects NaN
        raise ValueError(f'strength must be in [0, 1], got {strength}')
    return strength


def _rng(rng: Optional[np.random.Generator]) -> np.random.Generator:
    return np.random.default_rng() if rng is None else rng


def _to_uint8(img: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def _short_side(img: np.ndarray) -> int:
    return int(min(img.shape[:2]))


def gaussian_blur(img: np.ndarray,
                  strength: Strength,
                  rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Out-of-focus blur with a Gaussian kernel.

    ``sigma = 0.035 * strength * min(H, W)`` pixels (about 3.9 px on a
    112 px face at strength 1). No random draws.

    Args:
        img (np.ndarray): ``uint8`` image, ``HxW`` or ``HxWxC``.
        strength (float): Strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Unused; kept so that all
            degradations share one signature.

    Returns:
        np.ndarray: The blurred image (same shape and dtype).

    Example:
        >>> import numpy as np
        >>> img = np.zeros((32, 32, 3), np.uint8)
        >>> img[8:24, 8:24] = 255
        >>> out = gaussian_blur(img, 0.8)
        >>> out.shape, bool(0 < out[8, 8, 0] < 255)
        ((32, 32, 3), True)
    """
    strength = _check(img, strength)
    if strength == 0.0:
        return img.copy()
    sigma = BLUR_SIGMA * strength * _short_side(img)
    ksize = 2 * int(math.ceil(3.0 * sigma)) + 1
    return cv2.GaussianBlur(
        img, (ksize, ksize), sigma, borderType=cv2.BORDER_REFLECT)


def _line_kernel(length: float, angle: float) -> np.ndarray:
    """Normalised anti-aliased line of ``length`` pixels at ``angle`` rad."""
    half = 0.5 * (length - 1.0)
    size = 2 * int(math.ceil(half)) + 3
    centre = 0.5 * (size - 1)
    steps = max(int(math.ceil(4.0 * length)), 2)
    t = np.linspace(-half, half, steps)
    x = centre + t * math.cos(angle)
    y = centre + t * math.sin(angle)
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    kernel = np.zeros((size, size), np.float64)
    # Bilinear splat of every sample point onto its four neighbours.
    for dx, dy, weight in ((0, 0, (1 - fx) * (1 - fy)),
                           (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy),
                           (1, 1, fx * fy)):
        np.add.at(kernel, (y0 + dy, x0 + dx), weight)
    return (kernel / kernel.sum()).astype(np.float32)


def motion_blur(img: np.ndarray,
                strength: Strength,
                rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Linear camera or subject motion blur in a random direction.

    The kernel is an anti-aliased line of ``1 + 0.12 * strength *
    min(H, W)`` pixels (about 14 px on a 112 px face at strength 1); its
    angle is drawn uniformly from ``[0, 180)`` degrees.

    Args:
        img (np.ndarray): ``uint8`` image, ``HxW`` or ``HxWxC``.
        strength (float): Strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Source of the angle. A fresh
            unseeded generator if None.

    Returns:
        np.ndarray: The blurred image (same shape and dtype).

    Example:
        >>> import numpy as np
        >>> img = np.random.default_rng(0).integers(0, 256, (32, 32, 3))
        >>> img = img.astype(np.uint8)
        >>> out = motion_blur(img, 0.5, np.random.default_rng(1))
        >>> bool(out.std() < img.std())
        True
    """
    strength = _check(img, strength)
    if strength == 0.0:
        return img.copy()
    angle = math.radians(_rng(rng).uniform(0.0, 180.0))
    length = 1.0 + MOTION_LENGTH * strength * _short_side(img)
    kernel = _line_kernel(length, angle)
    return cv2.filter2D(img, -1, kernel, borderType=cv2.BORDER_REFLECT)


def jpeg(img: np.ndarray,
         strength: Strength,
         rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """JPEG compression artefacts (blocking, ringing, colour bleeding).

    The image is encoded and decoded with quality ``round(5 + 90 * (1 -
    strength) ** 2)``: 95 near strength 0, 28 at 0.5, 5 at 1. The square
    spreads the visible change more evenly over the strength range than a
    linear quality would. No random draws.

    Args:
        img (np.ndarray): ``uint8`` image, ``HxW`` or ``HxWx3``.
        strength (float): Strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Unused.

    Returns:
        np.ndarray: The decoded image (same shape and dtype).

    Example:
        >>> import numpy as np
        >>> img = np.random.default_rng(0).integers(0, 256, (32, 32, 3))
        >>> out = jpeg(img.astype(np.uint8), 1.0)
        >>> out.shape, out.dtype
        ((32, 32, 3), dtype('uint8'))
    """
    strength = _check(img, strength)
    if strength == 0.0:
        return img.copy()
    best, worst = JPEG_QUALITY_RANGE
    quality = int(round(worst + (best - worst) * (1.0 - strength)**2))
    ok, buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError('JPEG encoding failed')
    flag = cv2.IMREAD_GRAYSCALE if img.ndim == 2 else cv2.IMREAD_COLOR
    out = cv2.imdecode(buf, flag)
    return out.reshape(img.shape)


def gaussian_noise(img: np.ndarray,
                   strength: Strength,
                   rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Additive white Gaussian sensor noise.

    Independent noise per pixel and channel with std ``40 * strength``
    grey levels; the result is rounded and clipped to ``[0, 255]``.

    Args:
        img (np.ndarray): ``uint8`` image, ``HxW`` or ``HxWxC``.
        strength (float): Strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Source of the noise. A fresh
            unseeded generator if None.

    Returns:
        np.ndarray: The noisy image (same shape and dtype).

    Example:
        >>> import numpy as np
        >>> img = np.full((32, 32, 3), 128, np.uint8)
        >>> out = gaussian_noise(img, 0.5, np.random.default_rng(0))
        >>> bool(15 < out.astype(float).std() < 25)
        True
    """
    strength = _check(img, strength)
    if strength == 0.0:
        return img.copy()
    noise = _rng(rng).standard_normal(img.shape, dtype=np.float32)
    return _to_uint8(img + (NOISE_SIGMA * strength) * noise)


def downscale(img: np.ndarray,
              strength: Strength,
              rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Low resolution: shrink (area averaging), then enlarge (bilinear).

    Each side is divided by ``1 + 7 * strength`` (8 at strength 1, so a
    112 px face is rebuilt from 14 px), with at least 2 pixels left. No
    random draws.

    Args:
        img (np.ndarray): ``uint8`` image, ``HxW`` or ``HxWxC``.
        strength (float): Strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Unused.

    Returns:
        np.ndarray: The image back at its own size.

    Example:
        >>> import numpy as np
        >>> img = np.random.default_rng(0).integers(0, 256, (32, 32, 3))
        >>> downscale(img.astype(np.uint8), 1.0).shape
        (32, 32, 3)
    """
    strength = _check(img, strength)
    if strength == 0.0:
        return img.copy()
    h, w = img.shape[:2]
    factor = 1.0 + (DOWNSCALE_FACTOR - 1.0) * strength
    small = cv2.resize(img, (max(int(round(w / factor)), 2),
                             max(int(round(h / factor)), 2)),
                       interpolation=cv2.INTER_AREA)
    out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    return out.reshape(img.shape)


def exposure(img: np.ndarray,
             strength: Strength,
             rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Under- or over-exposure (random direction).

    The grey levels are multiplied by ``2 ** (+-2 * strength)`` (up to two
    stops darker or brighter) and clipped, so highlights saturate when
    brightening and shadows crush when darkening. The direction is drawn
    with equal probability.

    Args:
        img (np.ndarray): ``uint8`` image, ``HxW`` or ``HxWxC``.
        strength (float): Strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Source of the direction. A
            fresh unseeded generator if None.

    Returns:
        np.ndarray: The re-exposed image (same shape and dtype).

    Example:
        >>> import numpy as np
        >>> img = np.full((8, 8, 3), 100, np.uint8)
        >>> out = exposure(img, 0.5, np.random.default_rng(0))
        >>> int(out[0, 0, 0]) in (50, 200)
        True
    """
    strength = _check(img, strength)
    if strength == 0.0:
        return img.copy()
    sign = 1.0 if _rng(rng).random() < 0.5 else -1.0
    gain = 2.0**(sign * EXPOSURE_STOPS * strength)
    return _to_uint8(img.astype(np.float32) * gain)


def occlusion(img: np.ndarray,
              strength: Strength,
              rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Solid rectangles hiding part of the face (hand, mask, object).

    One or two rectangles of random colour and aspect ratio (1:2 to 2:1)
    cover ``0.5 * strength`` of the image area together (less where they
    overlap). Their positions, shapes and colours do not depend on the
    strength, and every rectangle of a weaker call lies inside the
    matching one of a stronger call with the same seed.

    Args:
        img (np.ndarray): ``uint8`` image, ``HxW`` or ``HxWxC``.
        strength (float): Strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Source of the rectangles. A
            fresh unseeded generator if None.

    Returns:
        np.ndarray: The occluded image (same shape and dtype).

    Example:
        >>> import numpy as np
        >>> img = np.full((40, 40, 3), 128, np.uint8)
        >>> out = occlusion(img, 1.0, np.random.default_rng(0))
        >>> bool(0.3 < (out != img).any(axis=2).mean() <= 0.5)
        True
    """
    strength = _check(img, strength)
    if strength == 0.0:
        return img.copy()
    rng = _rng(rng)
    h, w = img.shape[:2]
    channels = 1 if img.ndim == 2 else img.shape[2]
    num = int(rng.integers(1, 3))
    area = OCCLUSION_AREA * strength * h * w / num
    out = img.copy()
    for _ in range(num):
        aspect = math.exp(rng.uniform(math.log(0.5), math.log(2.0)))
        u, v = rng.random(2)
        colour = rng.integers(0, 256, size=channels).astype(np.uint8)
        rh = min(math.sqrt(area * aspect), h)
        rw = min(area / max(rh, 1e-9), w)
        top, left = v * (h - rh), u * (w - rw)
        y0, x0 = int(round(top)), int(round(left))
        y1, x1 = int(round(top + rh)), int(round(left + rw))
        if img.ndim == 2:
            out[y0:y1, x0:x1] = colour[0]
        else:
            out[y0:y1, x0:x1] = colour
    return out


#: The single degradation types, by name.
BASE_DEGRADATIONS: Dict[str, Callable[..., np.ndarray]] = {
    'gaussian_blur': gaussian_blur,
    'motion_blur': motion_blur,
    'jpeg': jpeg,
    'gaussian_noise': gaussian_noise,
    'downscale': downscale,
    'exposure': exposure,
    'occlusion': occlusion,
}

#: Order in which several degradations are applied, following the capture
#: chain: scene (occluder, light), optics and motion, sensor resolution and
#: noise, and compression last.
APPLY_ORDER: Tuple[str, ...] = ('occlusion', 'exposure', 'gaussian_blur',
                                'motion_blur', 'downscale', 'gaussian_noise',
                                'jpeg')


def _check_strengths(strengths: Mapping[str, Strength]) -> Dict[str, float]:
    checked = {}
    for name, value in strengths.items():
        if name not in QUALITY_WEIGHTS:
            raise KeyError(
                f'Unknown degradation {name!r}; expected one of '
                f'{sorted(QUALITY_WEIGHTS)} (give a mixed degradation as '
                'the strengths of its parts)')
        value = float(value)
        if not 0.0 <= value <= 1.0:
            raise ValueError(
                f'strength of {name!r} must be in [0, 1], got {value}')
        checked[name] = value
    return checked


def sample_mixed_strengths(
        strength: Strength,
        rng: Optional[np.random.Generator] = None) -> Dict[str, float]:
    """Pick the parts of a mixed degradation and split the strength.

    Two or three different single types are chosen at random and the total
    ``strength`` is split among them with Dirichlet(1, ..., 1) shares, so
    the part strengths add up to ``strength``.

    Args:
        strength (float): Total strength in ``[0, 1]``.
        rng (np.random.Generator, optional): Source of randomness. A fresh
            unseeded generator if None.

    Returns:
        dict[str, float]: Part name -> part strength.

    Example:
        >>> import numpy as np
        >>> parts = sample_mixed_strengths(0.6, np.random.default_rng(0))
        >>> len(parts) in (2, 3), round(sum(parts.values()), 6)
        (True, 0.6)
    """
    strength = float(strength)
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f'strength must be in [0, 1], got {strength}')
    rng = _rng(rng)
    names = list(BASE_DEGRADATIONS)
    num = int(rng.integers(2, 4))
    chosen = rng.choice(len(names), size=num, replace=False)
    shares = rng.dirichlet(np.ones(num))
    return {
        names[int(i)]: float(strength * share)
        for i, share in zip(chosen, shares)
    }


def apply_degradations(
        img: np.ndarray,
        strengths: Mapping[str, Strength],
        rng: Optional[np.random.Generator] = None) -> np.ndarray:
    """Apply several single degradations in :data:`APPLY_ORDER`.

    Args:
        img (np.ndarray): ``uint8`` image.
        strengths (Mapping[str, float]): Single type name -> strength in
            ``[0, 1]``; types that are missing or 0 are skipped.
        rng (np.random.Generator, optional): Shared source of randomness.
            A fresh unseeded generator if None.

    Returns:
        np.ndarray: The degraded image.

    Example:
        >>> import numpy as np
        >>> img = np.full((16, 16, 3), 90, np.uint8)
        >>> out = apply_degradations(img, {'jpeg': 0.5, 'downscale': 0.3})
        >>> out.shape
        (16, 16, 3)
    """
    checked = _check_strengths(strengths)
    _check(img, 0.0)
    rng = _rng(rng)
    out = img.copy()
    for name in APPLY_ORDER:
        value = checked.get(name, 0.0)
        if value > 0.0:
            out = BASE_DEGRADATIONS[name](out, value, rng)
    return out


def mixed(img: np.ndarray,
          strength: Strength,
          rng: Optional[np.random.Generator] = None,
          return_strengths: bool = False
          ) -> Union[np.ndarray, Tuple[np.ndarray, Dict[str, float]]]:
    """Two or three single degradations sharing one total strength.

    The parts and their strengths come from :func:`sample_mixed_strengths`
    (drawn first, so they do not depend on the image) and are applied with
    :func:`apply_degradations`.

    Args:
        img (np.ndarray): ``uint8`` image.
        strength (float): Total strength in ``[0, 1]``; 0 returns a copy.
        rng (np.random.Generator, optional): Source of randomness. A fresh
            unseeded generator if None.
        return_strengths (bool): Also return the part strengths (needed for
            :func:`quality_score`). Defaults to False.

    Returns:
        np.ndarray | tuple[np.ndarray, dict]: The degraded image, and the
        part strengths when ``return_strengths`` is True (empty at
        strength 0).

    Example:
        >>> import numpy as np
        >>> img = np.full((16, 16, 3), 90, np.uint8)
        >>> out, parts = mixed(img, 0.7, np.random.default_rng(0), True)
        >>> 0 < quality_score(parts) < 1
        True
    """
    strength = _check(img, strength)
    if strength == 0.0:
        out, parts = img.copy(), {}
    else:
        rng = _rng(rng)
        parts = sample_mixed_strengths(strength, rng)
        out = apply_degradations(img, parts, rng)
    return (out, parts) if return_strengths else out


#: All degradation types by name, ``'mixed'`` included. Every value is
#: called as ``fn(img, strength, rng)`` and returns the image.
DEGRADATIONS: Dict[str, Callable[..., np.ndarray]] = dict(
    BASE_DEGRADATIONS, mixed=mixed)


def quality_score(strengths: Mapping[str, Strength]) -> float:
    """Ground-truth quality of an image from its degradation strengths.

    .. math::

        Q = \\prod_k (1 - w_k s_k)

    where ``s_k`` in ``[0, 1]`` is the strength of single type ``k``
    (missing types count as 0) and ``w_k`` its weight in
    :data:`QUALITY_WEIGHTS`: gaussian_blur 0.85, motion_blur 0.85,
    downscale 0.80, occlusion 0.75, gaussian_noise 0.70, exposure 0.70,
    jpeg 0.65. ``Q`` is 1 for the untouched image and falls strictly with
    every strength (each factor is positive because every ``w_k < 1``); a
    single type at full strength leaves ``1 - w_k`` (0.15 to 0.35), and
    the lowest possible value (everything at strength 1) is about 3.5e-5.
    So ``Q`` lies in ``(0, 1]``, higher is better. It is a quality relative
    to the source image: it assumes the source itself is of good quality.

    Args:
        strengths (Mapping[str, float]): Single type name -> strength in
            ``[0, 1]``. A mixed degradation must be given as the strengths
            of its parts.

    Returns:
        float: The quality ``Q`` in ``(0, 1]``.

    Example:
        >>> quality_score({})
        1.0
        >>> round(quality_score({'gaussian_blur': 1.0}), 4)
        0.15
        >>> round(quality_score({'jpeg': 0.5, 'gaussian_noise': 0.5}), 4)
        0.4388
    """
    checked = _check_strengths(strengths)
    quality = 1.0
    for name, value in checked.items():
        quality *= 1.0 - QUALITY_WEIGHTS[name] * value
    return float(quality)
