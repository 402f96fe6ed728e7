"""High-level helpers: build a model from its config, score faces."""
from .face_feature_extractor import FaceFeatureExtractor, pool_features
from .face_score_inferencer import (DEFAULT_FACE_PREPARATION,
                                    FaceScoreInferencer)
from .inference import (build_model_from_config, get_test_pipeline,
                        iter_predictions, predict_scores)
from .model_zoo import list_fbp_mm_models, register_fbp_mm_models

__all__ = [
    'DEFAULT_FACE_PREPARATION', 'FaceFeatureExtractor', 'FaceScoreInferencer',
    'pool_features',
    'build_model_from_config', 'get_test_pipeline', 'iter_predictions',
    'predict_scores', 'list_fbp_mm_models',
    'register_fbp_mm_models'
]
