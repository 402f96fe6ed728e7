from .regression_metric import RegressionMetric

__all__ = ['RegressionMetric']
