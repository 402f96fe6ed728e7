"""Run one recipe stage in this process.

Usage: ``python -m fbp_mm.engine.recipe.worker STAGE_DIR``, or forked from
the runner (:class:`ForkedWorker`, the default on Linux: the child starts
with the runner's imports done).

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
import subprocess
import sys
import time
import traceback
from typing import Optional

STAGE_FILE = 'stage.json'
OUTPUTS_FILE = 'outputs.json'
LOCK_FILE = '.stage.lock'
PARENT_ENV = 'FBP_MM_RECIPE_PARENT'
WORKER_MODULE = 'fbp_mm.engine.recipe.worker'


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


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None or isinstance(exc.code, int):
        return exc.code or 0
    print(exc.code, file=sys.stderr)
    return 1


class ForkedWorker:
    """A stage run in a forked copy of the runner's process.

    It behaves like the :class:`subprocess.Popen` of a spawned worker, as
    far as the runner uses one: ``stdout`` yields the child's output lines
    (stdout and stderr together), ``poll``, ``wait``, ``terminate`` and
    ``kill``. The child resets the runner's signal handlers, writes to the
    pipe, runs :func:`main` and leaves with :func:`os._exit` (never
    returning into the runner's code).

    Args:
        stage_dir (str): The stage folder, as for :func:`main`.

    Example:
        >>> # child = ForkedWorker('work_dirs/demo/teacher')
        >>> # for line in child.stdout: print(line, end='')
        >>> # code = child.wait()
    """

    def __init__(self, stage_dir: str) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_fd)
            self._child(stage_dir, write_fd, parent)
        os.close(write_fd)
        self.pid = pid
        self.returncode: Optional[int] = None
        self.stdout = os.fdopen(read_fd, 'r', errors='replace')

    @staticmethod
    def _child(stage_dir: str, write_fd: int, parent: int) -> None:
        code = 1
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.dup2(write_fd, 1)
            os.dup2(write_fd, 2)
            os.close(write_fd)
            sys.stdout = open(1, 'w', buffering=1, closefd=False)
            sys.stderr = open(2, 'w', buffering=1, closefd=False)
            os.environ[PARENT_ENV] = str(parent)
            try:
                main(stage_dir)
                code = 0
            except SystemExit as exc:
                code = _exit_code(exc)
            except BaseException:  # noqa: B036  (report, then leave)
                traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)

    def poll(self) -> Optional[int]:
        """The exit code if the child has ended, else None."""
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: Optional[float] = None) -> int:
        """Wait for the child to end.

        Args:
            timeout (float, optional): Seconds; None waits for good.

        Returns:
            int: The exit code (minus the signal number if killed).

        Raises:
            subprocess.TimeoutExpired: When it is still running after
                ``timeout`` seconds.
        """
        if timeout is None:
            if self.returncode is None:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            self.stdout.close()
            return self.returncode
        end = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > end:
                raise subprocess.TimeoutExpired(WORKER_MODULE, timeout)
            time.sleep(0.05)
        return self.returncode

    def terminate(self) -> None:
        """Send SIGTERM (the spawned worker's ``terminate``)."""
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        """Send SIGKILL."""
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        if self.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit('usage: python -m fbp_mm.engine.recipe.worker STAGE_DIR')
    main(sys.argv[1])
