# Copyright (c) fbp_mm contributors. All rights reserved.
"""Graded face degradations as a data pipeline transform."""
import numbers
from typing import Dict, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS
from torch.utils.data import get_worker_info

from ...generators.degradations import DEGRADATIONS, mixed, quality_score

__all__ = ['RandomFaceDegradation']

Severity = Union[float, Tuple[float, float]]


def _worker_id() -> int:
    """Index of the current data loader worker (0 in the main process)."""
    info = get_worker_info()
    return 0 if info is None else int(info.id)


@TRANSFORMS.register_module()
class RandomFaceDegradation(BaseTransform):
    """Degrade ``results['img']`` with one of the graded degradations.

    With probability ``prob`` one type is drawn uniformly from ``kinds``
    and applied to the image with a strength drawn uniformly from
    ``severity`` (or exactly ``severity`` when it is a number), by the same
    function that writes the degraded-face sets
    (:data:`fbp_mm.generators.degradations.DEGRADATIONS`: gaussian_blur,
    motion_blur, jpeg, gaussian_noise, downscale, exposure, occlusion,
    mixed). The image keeps its shape and ``uint8`` type, so put the
    transform right after ``LoadImageFromFile`` (before any
    normalisation).

    What was applied is written to ``results['degradation']``::

        dict(type='jpeg', strength=0.4, strengths={'jpeg': 0.4},
             quality=0.74)

    ``strengths`` names the single types a ``'mixed'`` degradation used and
    ``quality`` is :func:`fbp_mm.generators.degradations.quality_score` of
    them (1 when nothing was applied: ``type='none'``). Add
    ``'degradation'`` to ``PackInputs(algorithm_keys=...)`` to hand it to
    the model.

    Randomness: without ``seed`` every call draws from NumPy's global
    generator, which MMEngine seeds per data loader worker (like
    MMPretrain's own random transforms). With ``seed`` the transform owns
    a :class:`numpy.random.Generator` seeded with ``[seed, worker id]``:
    the sequence of degradations is reproducible and differs between
    workers. A call draws, in this order, the apply decision (only when
    ``prob < 1``), the type (only when ``kinds`` has several), the strength
    (only when ``severity`` is a range), and then hands the same generator
    to the degradation function.

    Args:
        kinds (str | Sequence[str]): Degradation type(s) to draw from.
            Defaults to all of them.
        severity (float | tuple[float, float]): Strength, or the range it
            is drawn from, within ``[0, 1]``. Defaults to ``(0.0, 0.6)``.
        prob (float): Probability to degrade an image. Defaults to 0.5.
        seed (int, optional): Seed of the transform's own generator.
            Defaults to None (NumPy's global generator).

    Example:
        >>> import numpy as np
        >>> t = RandomFaceDegradation(kinds='jpeg', severity=0.5, prob=1.0)
        >>> out = t(dict(img=np.full((32, 32, 3), 128, np.uint8)))
        >>> out['degradation']['type'], out['img'].shape
        ('jpeg', (32, 32, 3))
    """

    def __init__(self,
                 kinds: Union[str, Sequence[str]] = tuple(DEGRADATIONS),
                 severity: Severity = (0.0, 0.6),
                 prob: float = 0.5,
                 seed: Optional[int] = None) -> None:
        kinds = [kinds] if isinstance(kinds, str) else list(kinds)
        unknown = [k for k in kinds if k not in DEGRADATIONS]
        if not kinds or unknown:
            raise ValueError(
                f'RandomFaceDegradation: unknown kinds {unknown or kinds}; '
                f'choose from {list(DEGRADATIONS)}.')
        if isinstance(severity, numbers.Real):
            low = high = float(severity)
        else:
            low, high = (float(v) for v in severity)
        if not 0.0 <= low <= high <= 1.0:
            raise ValueError(
                'RandomFaceDegradation: severity must be a strength or a '
                f'(low, high) range within [0, 1], got {severity}.')
        prob = float(prob)
        if not 0.0 <= prob <= 1.0:
            raise ValueError('RandomFaceDegradation: prob must be in [0, 1], '
                             f'got {prob}.')
        self.kinds = kinds
        self.severity = (low, high)
        self.prob = prob
        self.seed = seed
        self._rng: Optional[np.random.Generator] = None
        self._rng_worker: Optional[int] = None

    def _generator(self) -> np.random.Generator:
        if self.seed is None:
            return np.random.default_rng(np.random.randint(0, 2**31 - 1))
        worker = _worker_id()
        if self._rng is None or self._rng_worker != worker:
            self._rng = np.random.default_rng([int(self.seed), worker])
            self._rng_worker = worker
        return self._rng

    def transform(self, results: Dict) -> Dict:
        """Degrade ``results['img']`` and record it in
        ``results['degradation']``.

        Args:
            results (dict): Result dict with ``img`` (``uint8``,
                ``HxW`` or ``HxWxC``).

        Returns:
            dict: The same dict, updated.
        """
        img = results['img']
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8:
            raise TypeError(
                'RandomFaceDegradation needs results["img"] as a uint8 '
                f'array, got {getattr(img, "dtype", type(img))}; put it '
                'right after LoadImageFromFile, before any normalisation.')
        rng = self._generator()
        applied = dict(type='none', strength=0.0, strengths={}, quality=1.0)
        if self.prob >= 1.0 or rng.random() < self.prob:
            kind = self.kinds[0]
            if len(self.kinds) > 1:
                kind = self.kinds[int(rng.integers(len(self.kinds)))]
            low, high = self.severity
            strength = low if low == high else float(rng.uniform(low, high))
            if kind == 'mixed':
                img, parts = mixed(img, strength, rng, return_strengths=True)
            else:
                img = DEGRADATIONS[kind](img, strength, rng)
                parts = {kind: strength} if strength > 0.0 else {}
            applied = dict(
                type=kind,
                strength=strength,
                strengths=parts,
                quality=quality_score(parts))
        results['img'] = img
        results['degradation'] = applied
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(kinds={self.kinds}, '
                f'severity={self.severity}, prob={self.prob}, '
                f'seed={self.seed})')
