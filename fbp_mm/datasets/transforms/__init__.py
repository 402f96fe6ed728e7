# Copyright (c) fbp_mm contributors. All rights reserved.
"""Data pipeline transforms (registered in MMPretrain's ``TRANSFORMS``)."""
from .degradation import RandomFaceDegradation

__all__ = ['RandomFaceDegradation']
