from .affectnet import AffectNet
from .aflw import AFLW19
from .age_list import AgeDB, UTKFaceAges
from .annotations import AnnotationError
from .au_label_conversion import convert_au_labels
from .au_occurrence import BP4D_AUS, DISFA_AUS, AUOccurrenceList
from .celeba import CelebAAttributes
from .face_landmarks import WFLW, Face300W, FaceLandmarkList
from .few_shot import FewShotDataset
from .lfw_attributes import LFWAttributes
from .lfwa import LFWA
from .rafdb import RAFDBBasic
from .score_list import ScoreListDataset
from .scut_fbp5500 import SCUTFBP5500
from .splits import holdout_split
from .transforms import RandomFaceDegradation
from .unlabeled_faces import UnlabeledFaceDataset

__all__ = [
    'AnnotationError', 'SCUTFBP5500', 'ScoreListDataset',
    'UnlabeledFaceDataset', 'RandomFaceDegradation', 'holdout_split',
    'CelebAAttributes', 'RAFDBBasic', 'Face300W', 'WFLW', 'FaceLandmarkList',
    'FewShotDataset', 'AUOccurrenceList', 'BP4D_AUS', 'DISFA_AUS',
    'AffectNet', 'AgeDB', 'UTKFaceAges', 'LFWAttributes', 'convert_au_labels',
    'AFLW19', 'LFWA'
]
