"""Run the whole MAE-MS-KD recipe, stage after stage, and print its table.

Stages (each in its own work dir under ``--work-root``):

1. ``teacher_pretrain``  multi-scale MAE pretraining on unlabeled faces
2. ``student_pretrain``  plain MAE pretraining of the student
3. ``teacher_finetune``  teacher regressor, initialised from stage 1
4. ``student_finetune``  student alone (ablation "without KD"), from stage 2
5. ``student_kd``        student from stage 2, distilled from stage 3

Each stage feeds its checkpoint to the next through ``--cfg-options``.
A finished stage leaves ``stage_done.json`` and is skipped on the next run;
an interrupted one resumes from its last checkpoint. At the end the teacher,
the student without KD and the student with KD are tested (the KD student
through its extracted, student-only checkpoint and the plain student
config) and a table with PLCC, SRCC, MAE, RMSE, params, GFLOPs and images/s
is printed and saved as ``results.md`` / ``results.json``.

Usage:
    python tools/fbp_pipeline.py --preset demo     # tiny archs, demo faces
    python tools/fbp_pipeline.py --preset full \\
        --unlabeled-root data/unlabeled_faces --data-root data/SCUT-FBP5500_v2
"""
import argparse
import json
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
        work_root='work_dirs/fbp_demo',
        input_size=64,
        configs=dict(
            teacher_pretrain='configs/fbp/demo/'
            'ms-mae_vit-tiny-p8_1xb64-20e_demo-faces.py',
            student_pretrain='configs/fbp/demo/'
            'mae_vit-tiny-p8_1xb64-20e_demo-faces.py',
            teacher_finetune='configs/fbp/demo/'
            'ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
            student_finetune='configs/fbp/demo/'
            'mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
            student_kd='configs/fbp/demo/mae_ms_kd_demo-faces.py')),
    'full':
    dict(
        work_root='work_dirs/fbp_mae_ms_kd',
        input_size=224,
        configs=dict(
            teacher_pretrain='configs/fbp/'
            'ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py',
            student_pretrain='configs/fbp/'
            'mae_vit-small-p16_8xb64-400e_unlabeled-faces.py',
            teacher_finetune='configs/fbp/'
            'ms-mae_vit-base-p16_ft-1xb32-100e_scut-fbp5500.py',
            student_finetune='configs/fbp/'
            'mae_vit-small-p16_ft-1xb32-100e_scut-fbp5500.py',
            student_kd='configs/fbp/mae_ms_kd.py')),
}

STAGES = ('teacher_pretrain', 'student_pretrain', 'teacher_finetune',
          'student_finetune', 'student_kd')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='MAE-MS-KD: pretrain, fine-tune, distil, compare')
    parser.add_argument('--preset', choices=sorted(PRESETS), default='demo')
    parser.add_argument('--work-root', help='folder of the stage work dirs')
    parser.add_argument(
        '--stages',
        nargs='+',
        choices=STAGES,
        help='run only these stages (their inputs must exist)')
    parser.add_argument(
        '--force', action='store_true', help='re-run finished stages')
    parser.add_argument(
        '--data-root', help='labeled data root (SCUT-FBP5500 layout) for '
        'the fine-tuning stages')
    parser.add_argument(
        '--unlabeled-root', help='unlabeled faces root for pretraining')
    parser.add_argument(
        '--skip-table', action='store_true', help='do not test at the end')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision (GPU)')
    parser.add_argument(
        '--stage-config',
        nargs='+',
        default=[],
        metavar='STAGE=CONFIG',
        help='use another config for a stage, e.g. '
        'student_kd=configs/fbp/mae_ms_kd_response-only.py')
    parser.add_argument(
        '--input-size', type=int, help='image size for the GFLOPs and '
        'images/s columns (default: the preset\'s)')
    return parser.parse_args()


def stage_dir(root: str, stage: str) -> str:
    return osp.join(root, f'{STAGES.index(stage) + 1}_{stage}')


def stage_options(stage: str, inputs: Dict[str, str],
                  args: argparse.Namespace) -> List[str]:
    """``--cfg-options`` that connect a stage to its inputs."""
    opts = []
    if stage == 'teacher_finetune':
        opts.append('model.backbone.init_cfg.checkpoint='
                    f'{inputs["teacher_pretrain"]}')
    elif stage == 'student_finetune':
        opts.append('model.backbone.init_cfg.checkpoint='
                    f'{inputs["student_pretrain"]}')
    elif stage == 'student_kd':
        opts.append('model.student.backbone.init_cfg.checkpoint='
                    f'{inputs["student_pretrain"]}')
        opts.append(f'model.teacher_ckpt={inputs["teacher_finetune"]}')
    if stage.endswith('pretrain') and args.unlabeled_root:
        opts.append(f'train_dataloader.dataset.data_root={args.unlabeled_root}')
    if not stage.endswith('pretrain') and args.data_root:
        opts += [
            f'{loader}.dataset.data_root={args.data_root}'
            for loader in ('train_dataloader', 'val_dataloader',
                           'test_dataloader')
        ]
    return opts


def run_stage(stage: str, cfg: str, root: str, inputs: Dict[str, str],
              args: argparse.Namespace) -> str:
    work_dir = stage_dir(root, stage)
    done = read_done(work_dir)
    if done and not args.force:
        print(f'[{stage}] finished earlier: {done["checkpoint"]}')
        return done['checkpoint']
    if args.force and osp.isdir(work_dir):
        shutil.rmtree(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    cmd = tool('train.py') + [cfg, '--work-dir', work_dir]
    if was_interrupted(work_dir):
        cmd.append('--resume')
        print(f'[{stage}] resuming the interrupted run')
    if args.amp:
        cmd.append('--amp')
    opts = stage_options(stage, inputs, args)
    if opts:
        cmd += ['--cfg-options', *opts]
    print(f'[{stage}] training {cfg}', flush=True)
    start = time.time()
    run_logged(cmd, osp.join(work_dir, 'pipeline.log'))
    ckpt = final_checkpoint(
        work_dir, best_key=None if stage.endswith('pretrain') else 'plcc')
    mark_done(work_dir, checkpoint=ckpt, config=cfg,
              seconds=round(time.time() - start, 1))
    print(f'[{stage}] done in {time.time() - start:.0f} s: {ckpt}')
    return ckpt


def write_table(rows: List[dict], root: str, preset: str) -> str:
    table = markdown_table(rows, [
        ('name', 'model', ''), ('plcc', 'PLCC', '.4f'),
        ('srcc', 'SRCC', '.4f'), ('mae', 'MAE', '.4f'),
        ('rmse', 'RMSE', '.4f'), ('params_m', 'params (M)', '.3f'),
        ('gflops', 'GFLOPs', '.3f'), ('images_per_s', 'images/s', '.0f')
    ])
    note = ('Synthetic demo faces: shows the pipeline works, says nothing '
            'about real faces.' if preset == 'demo' else
            f'Preset {preset}.')
    text = table + f'\n\n{note}\n'
    with open(osp.join(root, 'results.md'), 'w') as f:
        f.write(text)
    with open(osp.join(root, 'results.json'), 'w') as f:
        json.dump(rows, f, indent=2)
    return text


def main() -> None:
    args = parse_args()
    preset = PRESETS[args.preset]
    root = args.work_root or preset['work_root']
    os.makedirs(root, exist_ok=True)
    configs = stage_configs(preset['configs'], args.stage_config, STAGES)
    stages = args.stages or list(STAGES)

    inputs: Dict[str, str] = {}
    for stage in STAGES:
        work_dir = stage_dir(root, stage)
        if stage in stages:
            missing = [
                s for s in STAGES[:STAGES.index(stage)]
                if s not in inputs and _needed(stage, s)
            ]
            if missing:
                raise RuntimeError(
                    f'Stage {stage} needs {missing} finished first.')
            inputs[stage] = run_stage(stage, configs[stage], root, inputs,
                                      args)
        else:
            done = read_done(work_dir)
            if done:
                inputs[stage] = done['checkpoint']

    if args.skip_table:
        return
    needed = ('teacher_finetune', 'student_finetune', 'student_kd')
    if any(s not in inputs for s in needed):
        print('Table skipped: stages 3-5 have not all finished.')
        return

    kd_dir = stage_dir(root, 'student_kd')
    student_only = osp.join(kd_dir, 'student_only.pth')
    run_logged(tool('extract_student.py') + [inputs['student_kd'],
                                             student_only],
               osp.join(kd_dir, 'pipeline.log'))

    rows = []
    costs: Dict[str, Dict[str, float]] = {}
    size = args.input_size or preset['input_size']
    for name, stage, cfg, ckpt in [
        ('teacher (MS-MAE)', 'teacher_finetune',
         configs['teacher_finetune'], inputs['teacher_finetune']),
        ('student, no KD', 'student_finetune', configs['student_finetune'],
         inputs['student_finetune']),
        ('student + KD (MAE-MS-KD)', 'student_kd',
         configs['student_finetune'], student_only),
    ]:
        print(f'[table] testing {name}', flush=True)
        data = [f'test_dataloader.dataset.data_root={args.data_root}'
                ] if args.data_root else []
        metrics = test_metrics(cfg, ckpt, stage_dir(root, stage), data)
        if cfg not in costs:  # both students share one architecture
            costs[cfg] = model_cost(cfg, size)
        rows.append(dict(name=name, **metrics, **costs[cfg]))
    print('\n' + write_table(rows, root, args.preset))


def _needed(stage: str, earlier: str) -> bool:
    """Whether ``stage`` consumes the checkpoint of ``earlier``."""
    return earlier in {
        'teacher_finetune': ('teacher_pretrain', ),
        'student_finetune': ('student_pretrain', ),
        'student_kd': ('student_pretrain', 'teacher_finetune'),
    }.get(stage, ())


if __name__ == '__main__':
    main()
