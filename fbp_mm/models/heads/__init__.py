from .distribution_head import DistributionRegressionHead
from .pros_head import ProSHead
from .regression_head import RegressionHead

__all__ = ['DistributionRegressionHead', 'ProSHead', 'RegressionHead']
