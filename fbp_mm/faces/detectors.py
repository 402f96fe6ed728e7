# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face detectors behind one interface, chosen by config.

Every detector takes a BGR ``uint8`` image (what OpenCV and MMCV's
``LoadImageFromFile`` give) and returns a list of :class:`FaceDetection`,
best first. An image without a face gives an empty list, never an error.

==============  ==========================================================
``type``        backend
==============  ==========================================================
``HaarFace``    OpenCV's frontal-face Haar cascade (opencv-python; fast,
                frontal faces only)
``DlibHogFace`` dlib's HOG + linear SVM detector (``dlib-bin``)
``DlibCnnFace`` dlib's CNN (MMOD) detector from ``face-recognition-models``
                (slower on CPU, finds turned and small faces)
``MMDetFace``   any MMDetection face detector, config + checkpoint
                (optional: needs ``mmdet`` and full ``mmcv``)
==============  ==========================================================

Example:
    >>> import numpy as np
    >>> detector = build_face_detector(dict(type='HaarFace'))
    >>> detector.detect(np.zeros((64, 64, 3), np.uint8))
    []
"""
import os.path as osp
from dataclasses import dataclass
from typing import List, Tuple, Union

import cv2
import numpy as np
from mmengine.registry import Registry

__all__ = [
    'FACE_DETECTORS', 'FaceDetection', 'BaseFaceDetector', 'HaarFaceDetector',
    'DlibHogFaceDetector', 'DlibCnnFaceDetector', 'MMDetFaceDetector',
    'build_face_detector'
]

#: Registry of face detectors (``dict(type='HaarFace', ...)``).
FACE_DETECTORS = Registry('face detector')


@dataclass
class FaceDetection:
    """One detected face.

    Attributes:
        box (tuple): ``(x1, y1, x2, y2)`` in pixels (x2, y2 exclusive).
        score (float): The backend's confidence (its own scale: Haar level
            weight, dlib SVM margin, dlib CNN confidence); higher is better.
    """
    box: Tuple[float, float, float, float]
    score: float

    @property
    def size(self) -> float:
        """The shorter side of the box in pixels."""
        x1, y1, x2, y2 = self.box
        return float(min(x2 - x1, y2 - y1))


def _gray(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return img
    return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)


def _rgb(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return np.ascontiguousarray(np.stack([img] * 3, axis=-1))
    return np.ascontiguousarray(img[..., ::-1])


def check_image(img: np.ndarray) -> np.ndarray:
    """Check that ``img`` is a ``uint8`` grey or 3-channel BGR image.

    Args:
        img (np.ndarray): The image.

    Returns:
        np.ndarray: The same image.

    Raises:
        ValueError: With what was passed instead.
    """
    if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or not (
            img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
        desc = (f'{img.dtype} array of shape {img.shape}' if isinstance(
            img, np.ndarray) else type(img).__name__)
        raise ValueError('A face detector takes a uint8 H x W (grey) or '
                         f'H x W x 3 (BGR) image, got a {desc}.')
    return img


class BaseFaceDetector:
    """Base of the detectors: :meth:`detect` sorts and filters.

    Args:
        min_score (float): Drop faces scored lower (backend scale).
            Defaults to ``-inf`` (keep all).
        min_size (int): Drop faces whose shorter box side is smaller, in
            pixels. Defaults to 0.
    """

    def __init__(self, min_score: float = -np.inf, min_size: int = 0) -> None:
        self.min_score = float(min_score)
        self.min_size = int(min_size)

    def _detect(self, img: np.ndarray) -> List[FaceDetection]:
        raise NotImplementedError

    def detect(self, img: np.ndarray) -> List[FaceDetection]:
        """Find the faces in one image.

        Args:
            img (np.ndarray): BGR (or grey) ``uint8`` image.

        Returns:
            list[FaceDetection]: Best first; empty when no face is found.
        """
        faces = [
            f for f in self._detect(check_image(img))
            if f.score >= self.min_score and f.size >= self.min_size
        ]
        return sorted(faces, key=lambda f: f.score, reverse=True)


@FACE_DETECTORS.register_module('HaarFace')
class HaarFaceDetector(BaseFaceDetector):
    """OpenCV's Haar cascade for frontal faces.

    Args:
        cascade (str): Cascade file name in ``cv2.data.haarcascades`` or a
            path. Defaults to ``'haarcascade_frontalface_default.xml'``.
        scale_factor (float): Image pyramid step. Defaults to 1.1.
        min_neighbors (int): Overlapping hits needed for a face. Defaults
            to 5.
        **kwargs: ``min_score``, ``min_size`` of :class:`BaseFaceDetector`;
            ``min_size`` is also the cascade's smallest window.
    """

    def __init__(self,
                 cascade: str = 'haarcascade_frontalface_default.xml',
                 scale_factor: float = 1.1,
                 min_neighbors: int = 5,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        path = cascade if osp.isfile(cascade) else osp.join(
            cv2.data.haarcascades, cascade)
        self.cascade = cv2.CascadeClassifier(path)
        if self.cascade.empty():
            raise FileNotFoundError(f'No Haar cascade at {path}')
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors

    def _detect(self, img: np.ndarray) -> List[FaceDetection]:
        side = max(self.min_size, 1)
        rects, _, weights = self.cascade.detectMultiScale3(
            _gray(img),
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(side, side),
            outputRejectLevels=True)
        return [
            FaceDetection((float(x), float(y), float(x + w), float(y + h)),
                          float(s))
            for (x, y, w, h), s in zip(rects, np.ravel(weights))
        ]


def _import_dlib():
    try:
        import dlib
        import face_recognition_models
    except ImportError as exc:
        raise ImportError(
            'The dlib face backends need `dlib-bin` and '
            '`face-recognition-models`: pip install -r '
            f'requirements/face.txt ({exc})') from exc
    return dlib, face_recognition_models


@FACE_DETECTORS.register_module('DlibHogFace')
class DlibHogFaceDetector(BaseFaceDetector):
    """dlib's HOG face detector.

    Args:
        upsample (int): Times to upsample the image first (finds faces
            smaller than 80 px at the cost of time). Defaults to 0.
        **kwargs: ``min_score`` (SVM margin; 0 is dlib's own threshold,
            lower finds more), ``min_size`` of :class:`BaseFaceDetector`.
    """

    def __init__(self, upsample: int = 0, **kwargs) -> None:
        kwargs.setdefault('min_score', 0.0)
        super().__init__(**kwargs)
        dlib, _ = _import_dlib()
        self.detector = dlib.get_frontal_face_detector()
        self.upsample = int(upsample)

    def _detect(self, img: np.ndarray) -> List[FaceDetection]:
        rects, scores, _ = self.detector.run(
            _rgb(img), self.upsample, min(self.min_score, 0.0))
        return [
            FaceDetection((float(r.left()), float(r.top()),
                           float(r.right() + 1), float(r.bottom() + 1)),
                          float(s)) for r, s in zip(rects, scores)
        ]


@FACE_DETECTORS.register_module('DlibCnnFace')
class DlibCnnFaceDetector(BaseFaceDetector):
    """dlib's CNN (max-margin object detection) face detector.

    Args:
        upsample (int): Times to upsample the image first. Defaults to 0.
        model (str, optional): ``mmod_human_face_detector.dat``; defaults
            to the copy in ``face-recognition-models``.
        **kwargs: ``min_score``, ``min_size`` of :class:`BaseFaceDetector`.
    """

    def __init__(self,
                 upsample: int = 0,
                 model: Union[str, None] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        dlib, models = _import_dlib()
        self.detector = dlib.cnn_face_detection_model_v1(
            model or models.cnn_face_detector_model_location())
        self.upsample = int(upsample)

    def _detect(self, img: np.ndarray) -> List[FaceDetection]:
        found = self.detector(_rgb(img), self.upsample)
        return [
            FaceDetection((float(d.rect.left()), float(d.rect.top()),
                           float(d.rect.right() + 1),
                           float(d.rect.bottom() + 1)), float(d.confidence))
            for d in found
        ]


@FACE_DETECTORS.register_module('MMDetFace')
class MMDetFaceDetector(BaseFaceDetector):
    """Any MMDetection detector trained for faces (config + checkpoint).

    Needs ``mmdet`` (``requirements/det.txt``), which needs full ``mmcv``
    with compiled ops; the rest of fbp_mm never imports it.

    Args:
        config (str): The detector's MMDetection config file.
        checkpoint (str): Its checkpoint.
        face_label (int): Class index of "face" in that model. Defaults
            to 0.
        device (str): Defaults to ``'cpu'``.
        **kwargs: ``min_score``, ``min_size`` of :class:`BaseFaceDetector`
            (``min_score`` on the model's 0-1 scores; default 0.5).
    """

    def __init__(self,
                 config: str,
                 checkpoint: str,
                 face_label: int = 0,
                 device: str = 'cpu',
                 **kwargs) -> None:
        kwargs.setdefault('min_score', 0.5)
        super().__init__(**kwargs)
        try:
            from mmdet.apis import inference_detector, init_detector
        except ImportError as exc:
            raise ImportError(
                'MMDetFace needs mmdet and full mmcv with ops: pip install '
                f'-r requirements/det.txt (see the README) ({exc})') from exc
        self._infer = inference_detector
        self.model = init_detector(config, checkpoint, device=device)
        self.face_label = int(face_label)

    def _detect(self, img: np.ndarray) -> List[FaceDetection]:
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        found = self._infer(self.model, img).pred_instances
        keep = found.labels == self.face_label
        boxes = found.bboxes[keep].cpu().numpy()
        scores = found.scores[keep].cpu().numpy()
        return [
            FaceDetection(tuple(float(v) for v in box), float(score))
            for box, score in zip(boxes, scores)
        ]


def build_face_detector(cfg: Union[dict, BaseFaceDetector]
                        ) -> BaseFaceDetector:
    """Build a detector from a config dict (or pass one through).

    Args:
        cfg (dict | BaseFaceDetector): E.g. ``dict(type='DlibHogFace',
            upsample=1)``.

    Returns:
        BaseFaceDetector: The detector.
    """
    if isinstance(cfg, BaseFaceDetector):
        return cfg
    # Looked up in our registry directly: ``build`` would first search the
    # caller's default scope (a model built first sets 'mmpretrain') and
    # warn that it has no face detectors.
    args = dict(cfg)
    name = args.pop('type', None)
    detector_cls = FACE_DETECTORS.get(name) if isinstance(name, str) \
        else name
    if detector_cls is None:
        raise KeyError(f'{name!r} is not a face detector; the detectors are '
                       f'{sorted(FACE_DETECTORS.module_dict)}.')
    return detector_cls(**args)
