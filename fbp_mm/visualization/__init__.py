# Copyright (c) fbp_mm contributors. All rights reserved.
"""Visualizers (MMEngine's ``Visualizer`` family)."""
from .score_visualizer import ScoreVisualizer

__all__ = ['ScoreVisualizer']
