from .attribute_metric import AttributeAccuracy
from .landmark_metric import NMEMetric
from .regression_metric import RegressionMetric

__all__ = ['AttributeAccuracy', 'NMEMetric', 'RegressionMetric']
