from .annotations import AnnotationError
from .score_list import ScoreListDataset
from .scut_fbp5500 import SCUTFBP5500
from .splits import holdout_split
from .transforms import RandomFaceDegradation
from .unlabeled_faces import UnlabeledFaceDataset

__all__ = [
    'AnnotationError', 'SCUTFBP5500', 'ScoreListDataset',
    'UnlabeledFaceDataset', 'RandomFaceDegradation', 'holdout_split'
]
