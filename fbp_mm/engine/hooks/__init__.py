from .score_visualization_hook import ScoreVisualizationHook
from .teacher_cache_hook import TeacherOutputCacheHook
from .teacher_temperature_hook import TeacherTemperatureHook

__all__ = [
    'ScoreVisualizationHook', 'TeacherOutputCacheHook',
    'TeacherTemperatureHook'
]
