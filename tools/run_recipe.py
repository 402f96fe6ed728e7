"""Run a recipe config: every stage of a method, in order, then its table.

Usage:
    python tools/run_recipe.py RECIPE [--work-root DIR] [--stages NAME ...]
        [--force] [--list] [--no-table] [--cfg-options key=value ...]

A finished stage whose inputs (config, checkpoints, data lists) are
unchanged is skipped; one whose inputs changed runs again, and so does
everything after it that uses it; an interrupted one resumes. See
:mod:`fbp_mm.engine.recipe.runner`.

Examples:
    python tools/run_recipe.py configs/fbp/recipes/mae_ms_kd_demo.py
    python tools/run_recipe.py configs/fiqa/recipes/efficient_fiqa.py \\
        --cfg-options vars.data_root=data/fiqa
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import fbp_mm  # noqa: E402,F401  (registers modules)
from fbp_mm.utils import freeze_objects_at_exit  # noqa: E402
from fbp_mm.engine.recipe.cli import main  # noqa: E402

if __name__ == '__main__':
    freeze_objects_at_exit()
    sys.exit(main())
