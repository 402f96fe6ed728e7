"""Efficient-FIQA self-training round, stage after stage, with its table.

Stages (each in its own folder under ``--work-root``):

1. ``teacher``       teacher on the labeled set L
2. ``pseudo_u1``     the teacher pseudo-labels U1 (logistic fitted on L)
3. ``teacher_plus``  teacher+ on L and U1
4. ``pseudo_u2``     teacher+ pseudo-labels U2 (logistic fitted on L)
5. ``student``       tiny student on L, U1 and U2

Data layout (``--data-root``): ``images/``, ``train.csv``, ``val.csv``,
``test.csv`` (``image_name,score``) and ``unlabeled_1.txt``,
``unlabeled_2.txt``, all paths relative to ``images/``;
``tools/dataset_converters/make_degraded_faces.py`` writes it from any face
folder. A finished stage leaves ``stage_done.json`` and is skipped on the
next run, an interrupted training resumes from its last checkpoint and an
interrupted pseudo-labeling from its partial list; ``--stages`` picks some.
The end table reports teacher, teacher+ and student on ``test.csv``: SRCC,
PLCC, KRCC, RMSE, the challenge score (SRCC + PLCC) / 2, params, GFLOPs at
each config's input size and images/s.

Usage:
    python tools/self_train.py --preset demo --data-root data/fiqa_demo
    python tools/self_train.py --preset full --data-root data/fiqa
"""
import argparse
import os
import os.path as osp
import shutil
import sys
import time
from typing import Dict, List

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from fbp_mm.utils.stages import (final_checkpoint, mark_done,  # noqa: E402
                                 markdown_table, model_cost, read_done,
                                 run_logged, stage_configs, test_metrics,
                                 tool, was_interrupted)

PRESETS = {
    'demo':
    dict(
        work_root='work_dirs/fiqa_demo',
        data_root='data/fiqa_demo',
        configs=dict(
            teacher='configs/fiqa/demo/'
            'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher.py',
            teacher_plus='configs/fiqa/demo/'
            'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher-plus.py',
            student='configs/fiqa/demo/'
            'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student.py')),
    'full':
    dict(
        work_root='work_dirs/fiqa_self_train',
        data_root='data/fiqa',
        configs=dict(
            teacher='configs/fiqa/swin-base_1xb32-30e_fiqa-448px_teacher.py',
            teacher_plus='configs/fiqa/'
            'swin-base_1xb32-30e_fiqa-448px_teacher-plus.py',
            student='configs/fiqa/'
            'edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py')),
}

STAGES = ('teacher', 'pseudo_u1', 'teacher_plus', 'pseudo_u2', 'student')
TRAINED = ('teacher', 'teacher_plus', 'student')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Efficient-FIQA: teacher -> pseudo-labels -> teacher+ '
        '-> pseudo-labels -> student')
    parser.add_argument('--preset', choices=sorted(PRESETS), default='demo')
    parser.add_argument('--data-root', help='FIQA data root (see above)')
    parser.add_argument('--work-root', help='folder of the stage folders')
    parser.add_argument(
        '--stages', nargs='+', choices=STAGES, help='run only these stages')
    parser.add_argument(
        '--force', action='store_true', help='re-run the chosen stages')
    parser.add_argument(
        '--stage-config',
        nargs='+',
        default=[],
        metavar='STAGE=CONFIG',
        help='another config for teacher, teacher_plus or student')
    parser.add_argument(
        '--skip-table', action='store_true', help='do not test at the end')
    parser.add_argument('--amp', action='store_true', help='mixed precision')
    return parser.parse_args()


def stage_dir(root: str, stage: str) -> str:
    return osp.join(root, f'{STAGES.index(stage) + 1}_{stage}')


def data_options(data_root: str) -> List[str]:
    return [
        f'{loader}.dataset.data_root={data_root}'
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')
    ]


def train_stage(stage: str, cfg: str, work_dir: str, data_root: str,
                pseudo: List[str], args: argparse.Namespace) -> dict:
    cmd = tool('train.py') + [cfg, '--work-dir', work_dir]
    if was_interrupted(work_dir):
        cmd.append('--resume')
        print(f'[{stage}] resuming the interrupted run')
    if args.amp:
        cmd.append('--amp')
    options = data_options(data_root)
    if pseudo:
        lists = ','.join(['train.csv'] + pseudo)
        options.append(f'train_dataloader.dataset.ann_file=[{lists}]')
    cmd += ['--cfg-options', *options]
    print(f'[{stage}] training {cfg}', flush=True)
    run_logged(cmd, osp.join(work_dir, 'pipeline.log'))
    return dict(checkpoint=final_checkpoint(work_dir, best_key='srcc'),
                config=cfg)


def pseudo_stage(stage: str, source: dict, work_dir: str, data_root: str,
                 pool: str, model_round: int) -> dict:
    out = osp.abspath(osp.join(work_dir, f'{stage}.csv'))
    images = osp.join(data_root, 'images')
    cmd = tool('pseudo_label.py') + [
        source['config'], source['checkpoint'], '--unlabeled',
        osp.join(data_root, pool), '--unlabeled-root', images, '--out', out,
        '--fit-on', osp.join(data_root, 'train.csv'), '--fit-root', images,
        '--model-name', osp.splitext(osp.basename(source['config']))[0],
        '--round', str(model_round), '--no-progress', '--cfg-options',
        f'test_dataloader.dataset.data_root={data_root}'
    ]
    print(f'[{stage}] pseudo-labeling {pool}', flush=True)
    run_logged(cmd, osp.join(work_dir, 'pipeline.log'))
    return dict(output=out)


def run_stages(args: argparse.Namespace, configs: Dict[str, str],
               root: str, data_root: str) -> Dict[str, dict]:
    chosen = args.stages or list(STAGES)
    done: Dict[str, dict] = {}
    needs = dict(
        pseudo_u1=['teacher'],
        teacher_plus=['pseudo_u1'],
        pseudo_u2=['teacher_plus'],
        student=['pseudo_u1', 'pseudo_u2'])
    for stage in STAGES:
        work_dir = stage_dir(root, stage)
        record = read_done(work_dir)
        if stage not in chosen or (record and not args.force):
            if record:
                if stage in chosen:
                    print(f'[{stage}] finished earlier')
                done[stage] = record
            continue
        missing = [s for s in needs.get(stage, []) if s not in done]
        if missing:
            raise RuntimeError(f'Stage {stage} needs {missing} first.')
        if args.force and osp.isdir(work_dir):
            shutil.rmtree(work_dir)
        os.makedirs(work_dir, exist_ok=True)
        start = time.time()
        if stage == 'teacher':
            record = train_stage(stage, configs[stage], work_dir, data_root,
                                 [], args)
        elif stage == 'pseudo_u1':
            record = pseudo_stage(stage, done['teacher'], work_dir,
                                  data_root, 'unlabeled_1.txt', 1)
        elif stage == 'teacher_plus':
            record = train_stage(stage, configs[stage], work_dir, data_root,
                                 [done['pseudo_u1']['output']], args)
        elif stage == 'pseudo_u2':
            record = pseudo_stage(stage, done['teacher_plus'], work_dir,
                                  data_root, 'unlabeled_2.txt', 2)
        else:
            record = train_stage(stage, configs[stage], work_dir, data_root,
                                 [done['pseudo_u1']['output'],
                                  done['pseudo_u2']['output']], args)
        record['seconds'] = round(time.time() - start, 1)
        mark_done(work_dir, **record)
        done[stage] = record
        print(f'[{stage}] done in {record["seconds"]:.0f} s')
    return done


def input_size(cfg_path: str) -> int:
    """Side of the test pipeline's ``Resize`` (the deployed input)."""
    from mmengine.config import Config

    from fbp_mm.apis import get_test_pipeline
    for step in get_test_pipeline(Config.fromfile(cfg_path)):
        if step['type'] == 'Resize':
            scale = step['scale']
            return int(scale[0] if isinstance(scale, (list, tuple)) else
                       scale)
    raise ValueError(f'{cfg_path}: no Resize in the test pipeline.')


def main() -> None:
    args = parse_args()
    preset = PRESETS[args.preset]
    root = args.work_root or preset['work_root']
    data_root = osp.abspath(args.data_root or preset['data_root'])
    if not osp.isfile(osp.join(data_root, 'train.csv')):
        raise FileNotFoundError(
            f'{data_root}/train.csv not found: see the data layout in '
            'tools/self_train.py, or make one with '
            'tools/dataset_converters/make_degraded_faces.py.')
    configs = stage_configs(preset['configs'], args.stage_config, TRAINED)
    os.makedirs(root, exist_ok=True)
    done = run_stages(args, configs, root, data_root)

    if args.skip_table:
        return
    if any(s not in done for s in TRAINED):
        print('Table skipped: teacher, teacher_plus and student have not '
              'all finished.')
        return
    rows = []
    for name, stage in (('teacher', 'teacher'), ('teacher+', 'teacher_plus'),
                        ('student', 'student')):
        print(f'[table] testing {name}', flush=True)
        record = done[stage]
        metrics = test_metrics(
            record['config'], record['checkpoint'], stage_dir(root, stage),
            [f'test_dataloader.dataset.data_root={data_root}'])
        size = input_size(record['config'])
        row = dict(name=name, size=size, **metrics,
                   **model_cost(record['config'], size))
        row['challenge'] = (row['srcc'] + row['plcc']) / 2
        rows.append(row)
    table = markdown_table(rows, [
        ('name', 'model', ''), ('srcc', 'SRCC', '.4f'),
        ('plcc', 'PLCC', '.4f'), ('krcc', 'KRCC', '.4f'),
        ('rmse', 'RMSE', '.4f'), ('challenge', '(SRCC+PLCC)/2', '.4f'),
        ('params_m', 'params (M)', '.3f'), ('size', 'input', ''),
        ('gflops', 'GFLOPs', '.3f'), ('images_per_s', 'images/s', '.0f')
    ])
    import json
    with open(osp.join(root, 'results.md'), 'w') as f:
        f.write(table + '\n')
    with open(osp.join(root, 'results.json'), 'w') as f:
        json.dump(rows, f, indent=2)
    print('\n' + table)


if __name__ == '__main__':
    main()
