"""The project's speed targets, measured with :func:`benchmark` and judged.

Each :class:`SpeedRun` is one :func:`~fbp_mm.utils.benchmark.benchmark`
call (a config, maybe a second one to compare with, the settings); each of
its :class:`SpeedCheck` reads one number of that report and holds it
against a bound. :data:`GPU_TARGETS` are the GPU targets of the speed
issue (MS-MAE pretraining utilisation and its speed against stock MAE,
the distillation step with the live teacher and with the teacher-output
cache, the FIQA student's inference throughput from uint8 batches);
``tools/analysis/speed_targets.py`` runs them on a lent GPU in one go.
"""
import copy
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

__all__ = ['SpeedCheck', 'SpeedRun', 'GPU_TARGETS', 'check_speed_targets',
           'format_speed_targets']


@dataclass
class SpeedCheck:
    """One number of a benchmark report against a bound.

    Args:
        name (str): What is checked, as printed.
        value (str): ``'utilisation'`` or ``'images_per_s'`` of the first
            row; ``'compare_images_per_s'`` (config / compare images/s),
            ``'student_step_time'`` (distiller / student alone step time)
            or ``'cached_step_time'`` (cached distiller / student alone).
        bound (float): The target.
        at_least (bool): True: the value must reach the bound; False: it
            must not exceed it. Defaults to True.
    """

    name: str
    value: str
    bound: float
    at_least: bool = True


@dataclass
class SpeedRun:
    """One benchmark call and the checks on its report.

    Args:
        name (str): Short name of the run.
        config (str): The config: a file, or ``package::path`` (the
            targets use ``fbp_mm::...``, found in the repository and in
            an installed fbp_mm alike).
        checks (list[SpeedCheck]): What to check in its report.
        compare (str, optional): A second config of the same run.
        settings (dict): Keyword arguments of :func:`benchmark` (mode,
            batch_size, amp, compile_model, channels_last, teacher_cache,
            interleave...).
    """

    name: str
    config: str
    checks: List[SpeedCheck]
    compare: Optional[str] = None
    settings: Dict = field(default_factory=dict)


_RATIOS = dict(
    compare_images_per_s=('config / compare', 'images_per_s'),
    student_step_time=('distiller / student alone', 'step_time'),
    cached_step_time=('cached distiller / student alone', 'step_time'))

def _distillation_run(name: str, label: str, config: str) -> SpeedRun:
    """A distiller's step against its student's, live and cached teacher."""
    return SpeedRun(
        name, config,
        settings=dict(mode='distill', batch_size=128, amp=True,
                      teacher_cache=True),
        checks=[
            SpeedCheck(f'{label} step / student step, live teacher',
                       'student_step_time', 1.3, at_least=False),
            SpeedCheck(f'{label} step / student step, cached teacher',
                       'cached_step_time', 1.05, at_least=False),
        ])


#: The GPU targets: bf16 autocast throughout, the batch sizes of the
#: issue's stock-MMPretrain anchors.
GPU_TARGETS = [
    SpeedRun(
        'ms-mae pretraining',
        'fbp_mm::fbp/ms-mae_vit-base-p16_8xb64-400e_unlabeled-faces.py',
        compare='mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-300e_'
        'in1k.py',
        settings=dict(mode='train', batch_size=256, amp=True),
        checks=[
            SpeedCheck('MS-MAE ViT-B model FLOP utilisation', 'utilisation',
                       0.30),
            SpeedCheck('MS-MAE / stock MAE ViT-B images/s',
                       'compare_images_per_s', 0.9),
        ]),
    _distillation_run('mae-ms-kd distillation', 'MAE-MS-KD',
                      'fbp_mm::fbp/mae_ms_kd.py'),
    _distillation_run(
        'fiqa distillation', 'FIQA KD',
        'fbp_mm::fiqa/edgenext-xxsmall_1xb32-30e_fiqa-352px_student-kd.py'),
    SpeedRun(
        'fiqa student inference',
        'fbp_mm::fiqa/edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py',
        settings=dict(mode='infer', batch_size=512, amp=True,
                      compile_model=True, channels_last=True, warmup=10),
        checks=[
            SpeedCheck('EdgeNeXt-XXS @352 images/s from uint8 batches',
                       'images_per_s', 30000.0),
        ]),
]


def _value(report: dict, key: str) -> Optional[float]:
    if key in ('utilisation', 'images_per_s'):
        return report['rows'][0].get(key)
    what, field_name = _RATIOS[key]
    for ratio in report['ratios']:
        if ratio['what'] == what:
            return ratio[field_name]
    return None


def check_speed_targets(runs: Sequence[SpeedRun] = GPU_TARGETS,
                        **overrides) -> List[dict]:
    """Benchmark every run and judge its checks.

    Args:
        runs (Sequence[SpeedRun]): What to run. Defaults to
            :data:`GPU_TARGETS`.
        **overrides: Settings for every run (``device``, ``peak_tflops``,
            ``warmup``, ``steps``, or a smaller ``batch_size``...), on top
            of each run's own.

    Returns:
        list[dict]: Per run: ``run``, ``config``, ``compare``,
        ``settings``, ``report`` (:func:`benchmark`'s) and ``checks``:
        ``name``, ``value`` (None when the report lacks it, e.g. the
        utilisation without ``peak_tflops``), ``bound``, ``at_least`` and
        ``met`` (True, False or None).

    Example:
        >>> # results = check_speed_targets(device='cuda',
        >>> #                               peak_tflops=989.0)
        >>> # print(format_speed_targets(results))
    """
    from .report import benchmark
    results = []
    for run in runs:
        settings = dict(copy.deepcopy(run.settings), **overrides)
        report = benchmark(run.config, compare=run.compare, **settings)
        checks = []
        for check in run.checks:
            value = _value(report, check.value)
            met = None
            if value is not None:
                met = value >= check.bound if check.at_least else \
                    value <= check.bound
            checks.append(dict(name=check.name, value=value,
                               bound=check.bound, at_least=check.at_least,
                               met=met))
        results.append(dict(run=run.name, config=run.config,
                            compare=run.compare, settings=settings,
                            report=report, checks=checks))
    return results


def format_speed_targets(results: List[dict]) -> str:
    """One line per check: measured, target, met or not.

    Args:
        results (list[dict]): From :func:`check_speed_targets`.

    Returns:
        str: The table.
    """
    lines = ['| check | measured | target | met |',
             '| --- | ---: | ---: | --- |']
    for result in results:
        for check in result['checks']:
            value = check['value']
            shown = 'n/a' if value is None else f'{value:.4g}'
            sign = '>=' if check['at_least'] else '<='
            met = {True: 'yes', False: 'NO', None: 'n/a'}[check['met']]
            lines.append(f"| {check['name']} | {shown} | "
                         f"{sign} {check['bound']:g} | {met} |")
    return '\n'.join(lines)
