from .checkpoint_loading import load_from_local_trusted
from .hooks import *  # noqa: F401,F403

__all__ = ['load_from_local_trusted']
