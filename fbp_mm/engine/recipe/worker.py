"""Run one recipe stage in this process.

Usage: ``python -m fbp_mm.engine.recipe.worker STAGE_DIR``.

The runner writes ``STAGE_DIR/stage.json`` (the stage's resolved
arguments, whether to resume) and starts this module as its child. The
worker locks the stage folder (a second worker on the same folder stops
with an error instead of racing the first), dies with the runner (Linux:
the parent-death signal), runs the stage and writes its outputs to
``STAGE_DIR/outputs.json``.
"""
import ctypes
import fcntl
import json
import os
import os.path as osp
import signal
import sys

STAGE_FILE = 'stage.json'
OUTPUTS_FILE = 'outputs.json'
LOCK_FILE = '.stage.lock'
PARENT_ENV = 'FBP_MM_RECIPE_PARENT'


def die_with_parent() -> None:
    """Ask the kernel to end this process when the runner dies (Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    parent = os.environ.get(PARENT_ENV)
    if parent and os.getppid() != int(parent):
        sys.exit('fbp_mm recipe worker: the runner is gone; stopping.')


def lock_stage_dir(stage_dir: str):
    """Hold an exclusive lock on the stage folder while the stage runs.

    Returns:
        The open lock file (keep it open).

    Raises:
        SystemExit: When another process holds the lock.
    """
    handle = open(osp.join(stage_dir, LOCK_FILE), 'a+')
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        owner = handle.read().strip() or 'another process'
        sys.exit(f'{stage_dir} is in use by {owner}; stop it first.')
    handle.seek(0)
    handle.truncate()
    handle.write(f'pid {os.getpid()}')
    handle.flush()
    return handle


def run_stage_dir(stage_dir: str) -> None:
    """Run the stage described in ``stage_dir/stage.json`` here.

    Args:
        stage_dir (str): The stage folder; ``outputs.json`` is written
            there when the stage finishes.
    """
    lock = lock_stage_dir(stage_dir)
    try:
        with open(osp.join(stage_dir, STAGE_FILE)) as f:
            record = json.load(f)
        from mmengine.utils import import_modules_from_strings
        import fbp_mm  # noqa: F401  (registers modules)
        if record.get('imports'):
            import_modules_from_strings(record['imports'])
        from .stages import RECIPE_STAGES
        stage = RECIPE_STAGES.build(dict(record['spec']))
        outputs = stage.run(stage_dir, bool(record.get('resume')))
        tmp = osp.join(stage_dir, OUTPUTS_FILE + '.tmp')
        with open(tmp, 'w') as f:
            json.dump(outputs, f, indent=2)
        os.replace(tmp, osp.join(stage_dir, OUTPUTS_FILE))
    finally:
        lock.close()


def main(stage_dir: str) -> None:
    """Entry of the child process: run the stage, leave cleanly."""
    die_with_parent()
    run_stage_dir(stage_dir)
    from ...utils import finish_distributed
    finish_distributed()


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: python -m fbp_mm.engine.recipe.worker STAGE_DIR')
    main(sys.argv[1])
