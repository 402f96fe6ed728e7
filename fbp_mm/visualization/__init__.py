# Copyright (c) fbp_mm contributors. All rights reserved.
"""Visualizers (MMEngine's ``Visualizer`` family)."""
from .prediction_plots import load_prediction_file, plot_predictions
from .score_visualizer import ScoreVisualizer

__all__ = ['ScoreVisualizer', 'load_prediction_file', 'plot_predictions']
