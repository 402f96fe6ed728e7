from .score_visualization_hook import ScoreVisualizationHook

__all__ = ['ScoreVisualizationHook']
