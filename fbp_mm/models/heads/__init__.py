from .distribution_head import DistributionRegressionHead
from .landmark_head import LandmarkRegressionHead
from .pros_head import ProSHead
from .regression_head import RegressionHead

__all__ = [
    'DistributionRegressionHead', 'LandmarkRegressionHead', 'ProSHead',
    'RegressionHead'
]
