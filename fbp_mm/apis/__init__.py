"""High-level helpers: build a model from its config and predict scores."""
from .inference import (build_model_from_config, get_test_pipeline,
                        iter_predictions, predict_scores)

__all__ = [
    'build_model_from_config', 'get_test_pipeline', 'iter_predictions',
    'predict_scores'
]
