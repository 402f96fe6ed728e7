from .distribution_head import DistributionRegressionHead
from .face_component_head import FaceComponentHead
from .face_patch_head import FacePatchHead
from .face_pixel_head import FacePixelHead
from .landmark_head import LandmarkRegressionHead
from .pros_head import ProSHead
from .regression_head import RegressionHead

__all__ = [
    'DistributionRegressionHead', 'FaceComponentHead', 'FacePatchHead',
    'FacePixelHead', 'LandmarkRegressionHead', 'ProSHead',
    'RegressionHead'
]
