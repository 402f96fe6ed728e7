from .layer_norm import LayerNorm2dKeepLayout

__all__ = ['LayerNorm2dKeepLayout']
