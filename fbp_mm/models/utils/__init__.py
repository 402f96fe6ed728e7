from .inference_fusion import (BATCH_NORM_FOLDABLE,
                               CachedPositionEncodingFourier,
                               cache_position_encodings, fold_batch_norms,
                               fold_layer_scales, fuse_for_inference)
from .layer_norm import LayerNorm2dKeepLayout

__all__ = [
    'BATCH_NORM_FOLDABLE', 'CachedPositionEncodingFourier',
    'LayerNorm2dKeepLayout', 'cache_position_encodings', 'fold_batch_norms',
    'fold_layer_scales', 'fuse_for_inference'
]
