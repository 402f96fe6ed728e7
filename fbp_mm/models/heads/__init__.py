from .distribution_head import DistributionRegressionHead
from .regression_head import RegressionHead

__all__ = ['DistributionRegressionHead', 'RegressionHead']
