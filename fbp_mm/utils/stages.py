"""Helpers for multi-stage recipes (tools/fbp_pipeline.py,
tools/self_train.py): run a tool, mark a stage finished, find its
checkpoint, test a model, measure its cost.

A stage is finished when its work dir holds ``stage_done.json``; a stage
with checkpoints but no marker was interrupted and is resumed.
"""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DONE_FILE = 'stage_done.json'


def tool(name: str) -> List[str]:
    """Command prefix running ``tools/<name>`` with this Python."""
    return [sys.executable, osp.join(REPO_ROOT, 'tools', name)]


def read_done(work_dir: str) -> Optional[dict]:
    """The finished-stage record of ``work_dir``, or None."""
    path = osp.join(work_dir, DONE_FILE)
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def mark_done(work_dir: str, **record) -> None:
    """Write the finished-stage record (atomically)."""
    tmp = osp.join(work_dir, DONE_FILE + '.tmp')
    with open(tmp, 'w') as f:
        json.dump(record, f, indent=2)
    os.replace(tmp, osp.join(work_dir, DONE_FILE))


def was_interrupted(work_dir: str) -> bool:
    """Whether a training left checkpoints without finishing."""
    return osp.isfile(osp.join(work_dir, 'last_checkpoint')) and \
        read_done(work_dir) is None


def final_checkpoint(work_dir: str, best_key: Optional[str] = None) -> str:
    """The checkpoint a training stage hands on.

    Args:
        work_dir (str): The stage's work dir.
        best_key (str, optional): Metric of ``save_best`` (e.g. ``'plcc'``):
            the newest ``best_<key>_*.pth`` is copied to ``best.pth`` and
            returned. Otherwise, or when there is none, the last checkpoint.

    Returns:
        str: Path of the checkpoint.
    """
    if best_key:
        found = sorted(
            glob.glob(osp.join(work_dir, f'best_{best_key}_*.pth')),
            key=osp.getmtime)
        if found:
            target = osp.join(work_dir, 'best.pth')
            shutil.copyfile(found[-1], target)
            return target
    last = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(last):
        with open(last) as f:
            path = f.read().strip()
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'No checkpoint found in {work_dir}.')


def run_logged(cmd: Sequence[str],
               log_path: str,
               echo: Sequence[str] = ('Epoch(', )) -> None:
    """Run a command from the repo root, log all of its output.

    Lines containing any of ``echo`` (and a loss or metric) are printed so
    long stages show progress. On failure the last lines are printed and
    a RuntimeError names the log.

    Args:
        cmd (Sequence[str]): The command.
        log_path (str): File the full output is appended to.
        echo (Sequence[str]): Markers of lines to print.
    """
    env = dict(os.environ)
    env['PYTHONPATH'] = REPO_ROOT + os.pathsep + env.get('PYTHONPATH', '')
    os.makedirs(osp.dirname(osp.abspath(log_path)), exist_ok=True)
    with open(log_path, 'a') as log:
        log.write(f'\n$ {" ".join(cmd)}\n')
        proc = subprocess.Popen(
            list(cmd),
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True)
        tail: List[str] = []
        for line in proc.stdout:
            log.write(line)
            tail = (tail + [line])[-40:]
            if any(m in line for m in echo) and (
                    'loss' in line or 'plcc' in line or 'srcc' in line):
                print('    ' + line.split(' - INFO - ')[-1].rstrip(),
                      flush=True)
        code = proc.wait()
    if code != 0:
        sys.stderr.write(''.join(tail))
        raise RuntimeError(f'Command failed ({code}), full log in '
                           f'{log_path}: {" ".join(cmd)}')


def test_metrics(cfg: str,
                 ckpt: str,
                 work_dir: str,
                 cfg_options: Sequence[str] = ()) -> Dict[str, float]:
    """Run ``tools/test.py`` and return its metrics."""
    out = osp.join(work_dir, 'test_metrics.json')
    cmd = tool('test.py') + [
        cfg, ckpt, '--work-dir', work_dir, '--out', out, '--out-item',
        'metrics'
    ]
    if cfg_options:
        cmd += ['--cfg-options', *cfg_options]
    run_logged(cmd, osp.join(work_dir, 'pipeline.log'))
    with open(out) as f:
        return json.load(f)


def model_cost(cfg_path: str, input_size: int) -> Dict[str, float]:
    """Params (M), GFLOPs and images/s of a config's deployed model."""
    import torch

    from .complexity import (build_model_for_analysis, complexity_summary,
                             measure_throughput)

    model = build_model_for_analysis(cfg_path)
    if torch.cuda.is_available():
        model = model.cuda()
    summary = complexity_summary(model, (input_size, input_size))
    summary['images_per_s'] = measure_throughput(
        model, (input_size, input_size), batch_size=32, warmup=3, iters=10)
    return summary


def markdown_table(rows: List[dict], columns: Sequence[tuple]) -> str:
    """Rows as a Markdown table; ``columns`` holds ``(key, title, fmt)``."""
    lines = ['| ' + ' | '.join(t for _, t, _ in columns) + ' |',
             '|' + ' --- |' * len(columns)]
    for row in rows:
        cells = [format(row[k], fmt) if fmt else str(row[k])
                 for k, _, fmt in columns]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def stage_configs(defaults: Dict[str, str], overrides: Sequence[str],
                  allowed: Sequence[str]) -> Dict[str, str]:
    """Apply ``--stage-config STAGE=CONFIG`` items to a preset's configs.

    Args:
        defaults (dict[str, str]): The preset's config per stage.
        overrides (Sequence[str]): ``STAGE=CONFIG`` strings.
        allowed (Sequence[str]): Stages whose config may be replaced.

    Returns:
        dict[str, str]: A new stage -> config mapping.
    """
    configs = dict(defaults)
    for item in overrides:
        stage, _, path = item.partition('=')
        if stage not in allowed or not path:
            raise ValueError(f'--stage-config takes STAGE=CONFIG with STAGE '
                             f'in {tuple(allowed)}, got {item!r}')
        configs[stage] = path
    return configs
