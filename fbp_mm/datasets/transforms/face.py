# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face pipeline transforms: find the face, its landmarks, align, flip.

They share these ``results`` keys (add them to
``PackInputs(algorithm_keys=...)`` to hand them to a model):

- ``face_box``: ``(x1, y1, x2, y2)`` float array, or None when no face;
- ``face_score``: the detector's confidence (None when given);
- ``face_found``: whether the image has a face (the per-image outcome: an
  image without a face never raises, the transforms after it pass it on
  unchanged);
- ``face_landmarks``: ``(68, 2)`` float32 ``(x, y)`` in the 68-point order.

A box or landmarks already in ``results`` (from the annotation) are used
as they are; the detector or predictor runs only when they are missing.

Example:
    >>> pipeline = [
    ...     dict(type='LoadImageFromFile'),
    ...     dict(type='DetectFace', detector=dict(type='DlibHogFace')),
    ...     dict(type='FaceLandmarks'),
    ...     dict(type='AlignFace', size=112, margin=0.2),
    ...     dict(type='RandomFaceFlip', prob=0.5),
    ...     dict(type='PackInputs', algorithm_keys=['face_landmarks']),
    ... ]
"""
from typing import Optional

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmpretrain.registry import TRANSFORMS

from ...faces import (DlibLandmarkPredictor, align_face, build_face_detector,
                      flip_landmarks)

__all__ = ['DetectFace', 'FaceLandmarks', 'AlignFace', 'RandomFaceFlip']


def _has_face(results: dict) -> bool:
    return results.get('face_found', True) is not False


@TRANSFORMS.register_module()
class DetectFace(BaseTransform):
    """Find the face: the annotated ``face_box``, else the detector's best.

    Args:
        detector (dict): Detector config, see
            :func:`fbp_mm.faces.build_face_detector`. Defaults to
            ``dict(type='HaarFace')``.
        min_size (int): Ignore detections smaller than this (pixels).
            Defaults to 0.

    Writes ``face_box``, ``face_score`` and ``face_found``.
    """

    def __init__(self,
                 detector: Optional[dict] = None,
                 min_size: int = 0) -> None:
        self.detector_cfg = dict(detector or dict(type='HaarFace'))
        if min_size:
            self.detector_cfg.setdefault('min_size', min_size)
        self._detector = None

    @property
    def detector(self):
        # Built on first use, in the data loader worker that needs it.
        if self._detector is None:
            self._detector = build_face_detector(self.detector_cfg)
        return self._detector

    def transform(self, results: dict) -> dict:
        box = results.get('face_box')
        if box is not None:
            results['face_box'] = np.asarray(box, dtype=np.float32)
            results.setdefault('face_score', None)
            results['face_found'] = True
            return results
        faces = self.detector.detect(results['img'])
        results['face_found'] = bool(faces)
        results['face_box'] = np.array(
            faces[0].box, dtype=np.float32) if faces else None
        results['face_score'] = faces[0].score if faces else None
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(detector={self.detector_cfg})'


@TRANSFORMS.register_module()
class FaceLandmarks(BaseTransform):
    """The 68 landmarks: the annotated ``face_landmarks``, else dlib's
    predictor in ``face_box`` (put :class:`DetectFace` before it).

    Args:
        model (str, optional): Another 68-point dlib predictor file.
    """

    def __init__(self, model: Optional[str] = None) -> None:
        self.model = model
        self._predictor = None

    def transform(self, results: dict) -> dict:
        if results.get('face_landmarks') is not None:
            results['face_landmarks'] = np.asarray(
                results['face_landmarks'], dtype=np.float32)
            results['face_found'] = True
            return results
        if not _has_face(results) or results.get('face_box') is None:
            results['face_found'] = False
            results['face_landmarks'] = None
            return results
        if self._predictor is None:
            self._predictor = DlibLandmarkPredictor(68, self.model)
        results['face_landmarks'] = self._predictor.predict(
            results['img'], results['face_box'])
        return results


@TRANSFORMS.register_module()
class AlignFace(BaseTransform):
    """Warp the image so that the face's eyes, nose tip and mouth corners
    land on the template (:func:`fbp_mm.faces.align_face`).

    The landmarks and box move with the image. An image without a face is
    passed on unchanged, or resized to ``size`` with ``resize_no_face``.

    Args:
        size (int): Side of the square crop. Defaults to 112.
        margin (float): Context around the face, see
            :func:`fbp_mm.faces.face_template`. Defaults to 0.
        resize_no_face (bool): Resize the whole image of a face-less
            sample to ``size`` (keeps batch shapes equal). Defaults to True.
    """

    def __init__(self,
                 size: int = 112,
                 margin: float = 0.0,
                 resize_no_face: bool = True) -> None:
        self.size = int(size)
        self.margin = float(margin)
        self.resize_no_face = resize_no_face

    def transform(self, results: dict) -> dict:
        points = results.get('face_landmarks')
        if not _has_face(results) or points is None:
            if self.resize_no_face:
                results['img'] = cv2.resize(results['img'],
                                            (self.size, self.size))
                results['img_shape'] = (self.size, self.size)
            return results
        crop, matrix = align_face(results['img'], points, self.size,
                                  self.margin)
        results['img'] = crop
        results['img_shape'] = crop.shape[:2]
        results['face_landmarks'] = (np.asarray(points) @ matrix[:, :2].T +
                                     matrix[:, 2]).astype(np.float32)
        box = results.get('face_box')
        if box is not None:
            corners = np.array([[box[0], box[1]], [box[2], box[1]],
                                [box[0], box[3]], [box[2], box[3]]])
            moved = corners @ matrix[:, :2].T + matrix[:, 2]
            results['face_box'] = np.concatenate(
                [moved.min(0), moved.max(0)]).astype(np.float32)
        results['face_align_matrix'] = matrix.astype(np.float32)
        return results


@TRANSFORMS.register_module()
class RandomFaceFlip(BaseTransform):
    """Flip the image horizontally with probability ``prob``, and the
    face's box and landmarks with it (left and right landmarks swap, so
    they stay in the 68-point order).

    Args:
        prob (float): Flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        flip = self.prob > 0 and np.random.rand() < self.prob
        results['flip'] = bool(flip)
        results['flip_direction'] = 'horizontal' if flip else None
        if not flip:
            return results
        img = results['img']
        width = img.shape[1]
        results['img'] = np.ascontiguousarray(img[:, ::-1])
        points = results.get('face_landmarks')
        if points is not None:
            results['face_landmarks'] = flip_landmarks(points, width)
        box = results.get('face_box')
        if box is not None:
            results['face_box'] = np.array(
                [width - 1 - box[2], box[1], width - 1 - box[0], box[3]],
                dtype=np.float32)
        return results
