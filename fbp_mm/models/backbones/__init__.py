from .ms_mae_vit import MultiScaleConvStem, MultiScaleMAEViT

__all__ = ['MultiScaleConvStem', 'MultiScaleMAEViT']
