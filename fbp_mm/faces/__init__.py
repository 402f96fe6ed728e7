# Copyright (c) fbp_mm contributors. All rights reserved.
"""The face toolkit: detection, landmarks and alignment.

- :mod:`.detectors`: :class:`FaceDetection` and the detectors
  (``HaarFace``, ``DlibHogFace``, ``DlibCnnFace``), built by config from
  :data:`FACE_DETECTORS`;
- :mod:`.landmarks`: dlib's 68- and 5-point predictors, the 68-point
  left/right pairs and flip, the five alignment points;
- :mod:`.align`: similarity alignment to a template at a size and margin;
- :mod:`.curation`: keep the images of a pool that show a face
  (``tools/curate_faces.py``);
- :mod:`.framing`: how a dataset frames its faces, as the
  ``face_preparation`` a config records (``tools/analysis/face_framing.py``).

Example:
    >>> from fbp_mm.faces import build_face_detector
    >>> detector = build_face_detector(dict(type='HaarFace', min_size=40))
"""
from .align import TEMPLATE_5, align_face, face_template, similarity_transform
from .curation import curate_faces, find_images, write_landmarks
from .detectors import (FACE_DETECTORS, BaseFaceDetector, DlibCnnFaceDetector,
                        DlibHogFaceDetector, FaceDetection, HaarFaceDetector,
                        MMDetFaceDetector,
                        build_face_detector)
from .framing import measure_face_framing
from .landmarks import (FLIP_PAIRS_68, DlibLandmarkPredictor,
                        five_point_subset, flip_landmarks)

__all__ = [
    'TEMPLATE_5', 'align_face', 'face_template', 'similarity_transform',
    'FACE_DETECTORS', 'BaseFaceDetector', 'DlibCnnFaceDetector',
    'DlibHogFaceDetector', 'FaceDetection', 'HaarFaceDetector',
    'MMDetFaceDetector',
    'build_face_detector', 'FLIP_PAIRS_68', 'DlibLandmarkPredictor',
    'five_point_subset', 'flip_landmarks', 'curate_faces', 'find_images',
    'write_landmarks', 'measure_face_framing'
]
