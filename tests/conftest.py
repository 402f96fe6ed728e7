"""Shared test setup: MMPretrain's default scope, as a config would set."""
import os.path as osp
import sys

from mmpretrain.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import fbp_mm  # noqa: E402,F401

register_all_modules(init_default_scope=True)
