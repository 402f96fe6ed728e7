from .inference_fusion import (CachedPositionEncodingFourier,
                               cache_position_encodings, fold_layer_scales,
                               fuse_for_inference)
from .layer_norm import LayerNorm2dKeepLayout

__all__ = [
    'CachedPositionEncodingFourier', 'LayerNorm2dKeepLayout',
    'cache_position_encodings', 'fold_layer_scales', 'fuse_for_inference'
]
