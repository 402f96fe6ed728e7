from .score_list import AnnotationError, ScoreListDataset
from .scut_fbp5500 import SCUTFBP5500
from .unlabeled_faces import UnlabeledFaceDataset

__all__ = [
    'AnnotationError', 'SCUTFBP5500', 'ScoreListDataset',
    'UnlabeledFaceDataset'
]
