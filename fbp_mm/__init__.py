"""fbp_mm: face representation learning, distillation and face score
regression for MMPretrain.

Importing the package registers every module into MMPretrain's registries
(``MODELS``, ``DATASETS``, ``METRICS``, ``TRANSFORMS``, ``HOOKS``). It
changes no checkpoint loader: fbp_mm's tools, its ``FbpRunner`` and its
loading of a distiller's teacher read checkpoints through
:mod:`fbp_mm.engine.checkpoint_loading`.
"""
import warnings

# mmcv-lite lacks compiled ops; MMCV warns about it on every import although
# nothing in fbp_mm needs them.
warnings.filterwarnings(
    'ignore', message='Fail to import ``MultiScaleDeformableAttention``')

# ``fbp_mm::fam/x.py`` names configs/fam/x.py of the installed package (in
# ``_base_`` lists and mmengine.hub.get_config), as ``mmpretrain::`` does.
from mmengine.config.utils import MODULE2PACKAGE  # noqa: E402

MODULE2PACKAGE.setdefault('fbp_mm', 'fbp_mm')

from . import (datasets, engine, evaluation, generators,  # noqa: E402,F401
               models, utils, visualization)
from .version import __version__  # noqa: E402

__all__ = ['__version__']
