"""tools/slurm_{train,test}.sh: the srun command lines they make."""
import os
import os.path as osp
import stat
import subprocess

from tool_runner import REPO_ROOT

FAKE_SRUN = '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n'


def run_script(tmp_path, script, *args, **env):
    srun = tmp_path / 'bin' / 'srun'
    srun.parent.mkdir(exist_ok=True)
    srun.write_text(FAKE_SRUN)
    srun.chmod(srun.stat().st_mode | stat.S_IEXEC)
    environ = dict(os.environ, PATH=f'{srun.parent}:{os.environ["PATH"]}',
                   **env)
    proc = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', script), *args],
        capture_output=True, text=True, env=environ, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split('\n')[:-1]


def test_train_script_passes_work_dir_and_options(tmp_path):
    argv = run_script(tmp_path, 'slurm_train.sh', 'gpu', 'fbp', 'cfg.py',
                      'work_dirs/x', '--amp', GPUS='16', GPUS_PER_NODE='8')
    assert argv[:7] == [
        '-p', 'gpu', '--job-name=fbp', '--gres=gpu:8', '--ntasks=16',
        '--ntasks-per-node=8', '--cpus-per-task=5'
    ]
    assert argv[8:] == [
        'python', '-u', osp.join(REPO_ROOT, 'tools', 'train.py'), 'cfg.py',
        '--launcher', 'slurm', '--work-dir', 'work_dirs/x', '--amp'
    ]
    # no work folder: the options follow the config directly
    argv = run_script(tmp_path, 'slurm_train.sh', 'gpu', 'fbp', 'cfg.py',
                      '--resume')
    assert argv[-4:] == ['cfg.py', '--launcher', 'slurm', '--resume']


def test_test_script_passes_the_checkpoint(tmp_path):
    argv = run_script(tmp_path, 'slurm_test.sh', 'gpu', 'fbp', 'cfg.py',
                      'ckpt.pth', '--out', 'r.pkl', GPUS='2',
                      GPUS_PER_NODE='2')
    assert '--ntasks=2' in argv
    assert argv[-7:] == [
        osp.join(REPO_ROOT, 'tools', 'test.py'), 'cfg.py', 'ckpt.pth',
        '--launcher', 'slurm', '--out', 'r.pkl'
    ]
