# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face-prior training targets from 68 landmarks.

The Face-prior method trains a ViT with auxiliary tasks at three levels:
pixels (a face-part label image), patches (a part label per patch and a
heatmap per landmark on the patch grid) and components (a box for each
brow, eye, the nose and the mouth). :class:`FacePriorTargets` computes
them from ``face_landmarks`` of the current image, so put it after every
geometric transform (:class:`RandomFaceFlip`, :class:`CropFaceBox`, ...):
the targets then move with the image. Left and right are the image's.

Example:
    >>> pipeline = [
    ...     dict(type='LoadImageFromFile'),
    ...     dict(type='CropFaceBox', size=224, scale=1.25),
    ...     dict(type='RandomFaceFlip', prob=0.5),
    ...     dict(type='FacePriorTargets', patch_size=16),
    ...     dict(type='PackInputs', algorithm_keys=[
    ...         'face_part_map', 'face_patch_labels', 'face_heatmaps',
    ...         'face_component_boxes', 'face_prior_valid']),
    ... ]
"""
from typing import Dict, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

__all__ = ['FacePriorTargets', 'PART_LABELS', 'COMPONENTS']

#: Labels of ``face_part_map`` and ``face_patch_labels``.
PART_LABELS: Dict[str, int] = {
    'background': 0,
    'face': 1,
    'brow_l': 2,
    'brow_r': 3,
    'eye_l': 4,
    'eye_r': 5,
    'nose': 6,
    'mouth': 7,
}

#: The components of ``face_component_boxes``, in its row order.
COMPONENTS: Tuple[str, ...] = ('brow_l', 'brow_r', 'eye_l', 'eye_r', 'nose',
                               'mouth')

# 68-point indices of each component (the boxes' extents).
_COMPONENT_POINTS = {
    'brow_l': range(17, 22),
    'brow_r': range(22, 27),
    'eye_l': range(36, 42),
    'eye_r': range(42, 48),
    'nose': range(27, 36),
    'mouth': range(48, 68),
}

_NUM_LABELS = len(PART_LABELS)
_SHIFT = 4  # fixed-point bits for sub-pixel polygon vertices


def _fixed(points: np.ndarray) -> np.ndarray:
    """Sub-pixel polygon vertices for ``cv2`` drawing with ``shift``."""
    return np.round(points * (1 << _SHIFT)).astype(np.int32).reshape(-1, 1, 2)


@TRANSFORMS.register_module()
class FacePriorTargets(BaseTransform):
    """Face-part map, patch labels, landmark heatmaps and component boxes.

    Reads ``img`` (only its shape) and ``face_landmarks`` (``(68, 2)``
    ``(x, y)`` in iBUG 68-point order, pixel centres at integer
    coordinates). Writes:

    - ``face_part_map``: ``(H, W)`` uint8 labels of :data:`PART_LABELS`:
      0 background, 1 the face (filled convex hull of the jaw and brows),
      then drawn over it 2/3 the image-left/right brow (its polygon, also
      outlined with thickness ``max(1, round(0.03 * face width))``), 4/5
      the eyes, 6 the nose (convex hull of 27-35), 7 the mouth (outer lip
      polygon 48-59);
    - ``face_patch_labels``: ``(H // patch_size, W // patch_size)`` int64,
      each patch's most frequent label, except that the most frequent part
      label (>= 2) wins over 0 and 1 when it covers at least
      ``part_min_fraction`` of the patch (ties go to the smaller label);
    - ``face_heatmaps``: ``(68, gh, gw)`` float32 Gaussians of peak 1 and
      sigma ``heatmap_sigma`` patches, centred at ``(landmark + 0.5) /
      patch_size - 0.5`` (pixel centres and patch centres both at integer
      coordinates of their grids, so the patch of pixels 0..p-1 has its
      centre at pixel (p - 1) / 2);
    - ``face_component_boxes``: ``(6, 4)`` float32 ``(x1, y1, x2, y2)``
      extents of the :data:`COMPONENTS`' points, each side pushed out by
      ``box_margin`` times the box's larger side, clipped to ``[0, W]`` x
      ``[0, H]``;
    - ``face_component_names``: :data:`COMPONENTS`;
    - ``face_prior_valid``: False when the landmarks are missing (and
      ``allow_missing``), then all targets are zeros; else True.

    Args:
        patch_size (int): Side of the ViT's patches in pixels. Pixels right
            of / below the last whole patch are left out of the patch
            targets. Defaults to 16.
        heatmap_sigma (float): Gaussian sigma in patches. Defaults to 1.0.
        part_min_fraction (float): Fraction of a patch that a part must
            cover to label it over background and face. Defaults to 0.25.
        box_margin (float): Margin per side of the component boxes, as a
            fraction of the box's larger side. Defaults to 0.25.
        allow_missing (bool): Write zero targets and
            ``face_prior_valid=False`` for a sample without landmarks
            instead of raising a ``ValueError``. Defaults to False.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> points = rng.uniform(16, 48, (68, 2)).astype(np.float32)
        >>> results = dict(img=np.zeros((64, 64, 3), np.uint8),
        ...                face_landmarks=points)
        >>> out = FacePriorTargets(patch_size=16)(results)
        >>> out['face_part_map'].shape, out['face_patch_labels'].shape
        ((64, 64), (4, 4))
        >>> out['face_heatmaps'].shape, out['face_component_boxes'].shape
        ((68, 4, 4), (6, 4))
    """

    def __init__(self,
                 patch_size: int = 16,
                 heatmap_sigma: float = 1.0,
                 part_min_fraction: float = 0.25,
                 box_margin: float = 0.25,
                 allow_missing: bool = False) -> None:
        if int(patch_size) <= 0:
            raise ValueError(f'patch_size must be positive, got {patch_size}')
        if not heatmap_sigma > 0:
            raise ValueError(
                f'heatmap_sigma must be positive, got {heatmap_sigma}')
        if not 0.0 <= part_min_fraction <= 1.0:
            raise ValueError(f'part_min_fraction must be in [0, 1], got '
                             f'{part_min_fraction}')
        if not box_margin >= 0:
            raise ValueError(
                f'box_margin must be non-negative, got {box_margin}')
        self.patch_size = int(patch_size)
        self.heatmap_sigma = float(heatmap_sigma)
        self.part_min_fraction = float(part_min_fraction)
        self.box_margin = float(box_margin)
        self.allow_missing = allow_missing

    def part_map(self, points: np.ndarray, shape: Tuple[int,
                                                        int]) -> np.ndarray:
        """The ``(H, W)`` uint8 face-part label image.

        Args:
            points (np.ndarray): ``(68, 2)`` landmarks.
            shape (tuple[int, int]): ``(H, W)``.

        Returns:
            np.ndarray: Labels of :data:`PART_LABELS`.
        """
        labels = np.zeros(shape, np.uint8)
        face = cv2.convexHull(_fixed(points[:27]))
        cv2.fillPoly(labels, [face], PART_LABELS['face'], cv2.LINE_8, _SHIFT)
        width = float(points[:17, 0].max() - points[:17, 0].min())
        thickness = max(1, int(round(0.03 * width)))
        for name, index in (('brow_l', slice(17, 22)),
                            ('brow_r', slice(22, 27))):
            brow = _fixed(points[index])
            cv2.fillPoly(labels, [brow], PART_LABELS[name], cv2.LINE_8,
                         _SHIFT)
            cv2.polylines(labels, [brow], True, PART_LABELS[name], thickness,
                          cv2.LINE_8, _SHIFT)
        polygons = (('eye_l', _fixed(points[36:42])),
                    ('eye_r', _fixed(points[42:48])),
                    ('nose', cv2.convexHull(_fixed(points[27:36]))),
                    ('mouth', _fixed(points[48:60])))
        for name, polygon in polygons:
            cv2.fillPoly(labels, [polygon], PART_LABELS[name], cv2.LINE_8,
                         _SHIFT)
        return labels

    def patch_labels(self, part_map: np.ndarray) -> np.ndarray:
        """The ``(H // patch_size, W // patch_size)`` int64 patch labels.

        Args:
            part_map (np.ndarray): ``(H, W)`` labels.

        Returns:
            np.ndarray: Each patch's label (see the class docstring).
        """
        p = self.patch_size
        gh, gw = part_map.shape[0] // p, part_map.shape[1] // p
        blocks = part_map[:gh * p, :gw * p].reshape(gh, p, gw, p)
        blocks = blocks.transpose(0, 2, 1, 3).reshape(gh, gw, p * p)
        counts = (blocks[..., None] == np.arange(_NUM_LABELS)).sum(2)
        labels = counts.argmax(-1)
        part = counts[..., 2:].argmax(-1) + 2
        part_count = np.take_along_axis(counts, part[..., None], -1)[..., 0]
        wins = (labels < 2) & (part_count > 0) & (
            part_count >= self.part_min_fraction * p * p)
        return np.where(wins, part, labels).astype(np.int64)

    def heatmaps(self, points: np.ndarray, grid: Tuple[int,
                                                       int]) -> np.ndarray:
        """``(K, gh, gw)`` float32 Gaussians of the landmarks on the grid.

        Args:
            points (np.ndarray): ``(K, 2)`` landmarks in pixels.
            grid (tuple[int, int]): ``(gh, gw)``.

        Returns:
            np.ndarray: Peak-1 Gaussians of sigma ``heatmap_sigma``.
        """
        centres = (points + 0.5) / self.patch_size - 0.5
        ys = np.arange(grid[0], dtype=np.float64)
        xs = np.arange(grid[1], dtype=np.float64)
        dx = (xs[None, None, :] - centres[:, 0, None, None])**2
        dy = (ys[None, :, None] - centres[:, 1, None, None])**2
        return np.exp(-(dx + dy) /
                      (2 * self.heatmap_sigma**2)).astype(np.float32)

    def component_boxes(self, points: np.ndarray,
                        shape: Tuple[int, int]) -> np.ndarray:
        """``(6, 4)`` float32 boxes of the :data:`COMPONENTS`.

        Args:
            points (np.ndarray): ``(68, 2)`` landmarks.
            shape (tuple[int, int]): ``(H, W)``, the clipping limits.

        Returns:
            np.ndarray: ``(x1, y1, x2, y2)`` per component.
        """
        boxes = []
        for name in COMPONENTS:
            part = points[list(_COMPONENT_POINTS[name])]
            low, high = part.min(0), part.max(0)
            margin = self.box_margin * float((high - low).max())
            boxes.append(np.concatenate([low - margin, high + margin]))
        boxes = np.stack(boxes)
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, shape[1])
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, shape[0])
        return boxes.astype(np.float32)

    def transform(self, results: dict) -> dict:
        """Add the face-prior targets.

        Args:
            results (dict): Pipeline results with ``img`` and
                ``face_landmarks``.

        Returns:
            dict: The updated results.
        """
        shape = tuple(results['img'].shape[:2])
        grid = (shape[0] // self.patch_size, shape[1] // self.patch_size)
        points = results.get('face_landmarks')
        results['face_component_names'] = COMPONENTS
        if points is None:
            if not self.allow_missing:
                raise ValueError(
                    f'FacePriorTargets: {results.get("img_path")} has no '
                    f'face_landmarks (set allow_missing=True to write zero '
                    f'targets for it).')
            results['face_part_map'] = np.zeros(shape, np.uint8)
            results['face_patch_labels'] = np.zeros(grid, np.int64)
            results['face_heatmaps'] = np.zeros((68, *grid), np.float32)
            results['face_component_boxes'] = np.zeros((len(COMPONENTS), 4),
                                                       np.float32)
            results['face_prior_valid'] = False
            return results
        points = np.asarray(points, dtype=np.float64)
        if points.shape != (68, 2) or not np.isfinite(points).all():
            raise ValueError(
                f'FacePriorTargets: face_landmarks of '
                f'{results.get("img_path")} must be finite (68, 2) points, '
                f'got an array of shape {points.shape}')
        part_map = self.part_map(points, shape)
        results['face_part_map'] = part_map
        results['face_patch_labels'] = self.patch_labels(part_map)
        results['face_heatmaps'] = self.heatmaps(points, grid)
        results['face_component_boxes'] = self.component_boxes(points, shape)
        results['face_prior_valid'] = True
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(patch_size={self.patch_size}, '
                f'heatmap_sigma={self.heatmap_sigma}, '
                f'part_min_fraction={self.part_min_fraction}, '
                f'box_margin={self.box_margin}, '
                f'allow_missing={self.allow_missing})')
