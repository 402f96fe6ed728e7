# Copyright (c) fbp_mm contributors. All rights reserved.
"""Data we draw ourselves, kept apart from the readers of real datasets.

- :mod:`.synthetic_faces`: seeded cartoon faces with a known beauty score,
  written in the SCUT-FBP5500 layout (the demo data).
- :mod:`.degradations`: graded, seeded image degradations and the quality
  score of what was applied (also a training transform:
  :class:`fbp_mm.datasets.transforms.RandomFaceDegradation`).
- :mod:`.degraded_faces`: a face image quality set made from any face
  folder by those degradations.
- :mod:`.cli`: what the generator command lines share.

Nothing here is registered in a registry.
"""
from .degradations import (APPLY_ORDER, BASE_DEGRADATIONS, DEGRADATIONS,
                           QUALITY_WEIGHTS, apply_degradations, mixed,
                           quality_score, sample_mixed_strengths)
from .degraded_faces import (degraded_faces_complete, find_source_images,
                             make_degraded_faces)
from .synthetic_faces import (demo_faces_complete, draw_face, face_score,
                              generate_demo_faces, sample_face_params,
                              score_to_level)

__all__ = [
    'APPLY_ORDER', 'BASE_DEGRADATIONS', 'DEGRADATIONS', 'QUALITY_WEIGHTS',
    'apply_degradations', 'mixed', 'quality_score', 'sample_mixed_strengths',
    'degraded_faces_complete', 'find_source_images', 'make_degraded_faces',
    'demo_faces_complete', 'draw_face', 'face_score', 'generate_demo_faces',
    'sample_face_params', 'score_to_level'
]
