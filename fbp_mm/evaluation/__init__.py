from .functional import (fit_logistic4, logistic4, map_scores,
                         try_fit_logistic4)
from .metrics import *  # noqa: F401,F403
from .metrics import RegressionMetric

__all__ = [
    'RegressionMetric', 'fit_logistic4', 'logistic4', 'map_scores',
    'try_fit_logistic4'
]
