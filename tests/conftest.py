"""Shared test setup: MMPretrain's default scope, as a config would set."""
import os.path as osp
import sys

from mmpretrain.utils import register_all_modules

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)

import fbp_mm  # noqa: E402,F401

register_all_modules(init_default_scope=True)

# The longest files (seconds on the 2-core machine, 2026-12-03) run first.
# With `make test`'s --dist loadfile --no-loadscope-reorder, xdist hands
# the files out in this order, so the two workers each start on a long one
# and finish close together; by default it would put the files with the
# most tests first, and these (one or two tests each) at the very end.
LONGEST_FIRST = (
    'test_tools/test_mae_ms_kd.py',  # 250
    'test_tools/test_self_train.py',  # 260
    'test_tools/test_face_prior_recipe.py',  # 106
    'test_tools/test_train_and_test.py',  # 85
    'test_tools/test_pros_recipe.py',  # 70
    'test_datasets/test_config_splits.py',  # 70
    'test_tools/test_benchmark.py',  # 56
    'test_faces/test_curation.py',  # 52
)


def pytest_collection_modifyitems(session, config, items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}
    tests_dir = osp.dirname(osp.abspath(__file__))

    def first_the_longest(item):
        name = osp.relpath(str(item.path), tests_dir).replace(osp.sep, '/')
        return rank.get(name, len(rank))

    items.sort(key=first_the_longest)  # stable: the rest keeps its order
