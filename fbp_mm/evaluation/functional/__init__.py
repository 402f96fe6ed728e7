from .logistic import fit_logistic4, logistic4, map_scores, try_fit_logistic4

__all__ = ['logistic4', 'fit_logistic4', 'try_fit_logistic4', 'map_scores']
