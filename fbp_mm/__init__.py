"""fbp_mm: face representation learning, distillation and face score
regression for MMPretrain.

Importing the package registers every module into MMPretrain's registries
(``MODELS``, ``DATASETS``, ``METRICS``, ``TRANSFORMS``, ``HOOKS``) and makes
MMEngine's checkpoint loading work on current PyTorch.
"""
import warnings

# mmcv-lite lacks compiled ops; MMCV warns about it on every import although
# nothing in fbp_mm needs them.
warnings.filterwarnings(
    'ignore', message='Fail to import ``MultiScaleDeformableAttention``')

from . import datasets, engine, evaluation, models, utils  # noqa: E402,F401
from .version import __version__  # noqa: E402

__all__ = ['__version__']
