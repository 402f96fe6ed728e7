from .multi_level_neck import MultiLevelFusionNeck
from .pros_projector import ProSProjector

__all__ = ['MultiLevelFusionNeck', 'ProSProjector']
