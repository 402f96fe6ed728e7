from .multi_level_neck import MultiLevelFusionNeck

__all__ = ['MultiLevelFusionNeck']
