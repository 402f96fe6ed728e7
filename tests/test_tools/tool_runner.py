"""Run this repo's tools as subprocesses from tests."""
import os
import os.path as osp
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'fbp',
                       'resnet18-w16_1xb32-20e_demo-faces.py')


def run_tool(args, cwd=None, env=None, timeout=600, check=True):
    """Run a python tool of this repo; return the completed process."""
    full_env = dict(os.environ)
    full_env['PYTHONPATH'] = REPO_ROOT + os.pathsep + full_env.get(
        'PYTHONPATH', '')
    full_env.setdefault('OMP_NUM_THREADS', '2')
    if env:
        full_env.update(env)
    proc = subprocess.run(
        args,
        cwd=cwd or REPO_ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(
            f'{" ".join(args)} failed ({proc.returncode}):\n'
            f'{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}')
    return proc


def python_tool(script, *args):
    return [sys.executable, osp.join(REPO_ROOT, 'tools', script), *args]


def torchrun(script, *args, port):
    """``python tools/SCRIPT ARGS --launcher pytorch`` in two processes."""
    return [
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        f'--master_port={port}',
        python_tool(script)[1], *args, '--launcher', 'pytorch'
    ]
