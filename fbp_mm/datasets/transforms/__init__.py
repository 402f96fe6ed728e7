# Copyright (c) fbp_mm contributors. All rights reserved.
"""Data pipeline transforms (registered in MMPretrain's ``TRANSFORMS``)."""
from .degradation import RandomFaceDegradation
from .face import AlignFace, DetectFace, FaceLandmarks, RandomFaceFlip
from .face_prior_targets import COMPONENTS, PART_LABELS, FacePriorTargets
from .face_prior_views import FACE_PRIOR_KEYS, FacePriorViews
from .landmark_crop import CropFaceBox
from .multi_crop import MultiCrop

__all__ = [
    'RandomFaceDegradation', 'DetectFace', 'FaceLandmarks', 'AlignFace',
    'RandomFaceFlip', 'MultiCrop', 'CropFaceBox', 'FacePriorTargets',
    'PART_LABELS', 'COMPONENTS', 'FacePriorViews', 'FACE_PRIOR_KEYS'
]
