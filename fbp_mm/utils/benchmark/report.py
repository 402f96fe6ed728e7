"""The benchmark itself, its table and JSON."""
import copy
import inspect
import json
import logging
import os
import os.path as osp
import statistics
from typing import List, Optional, Union

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger

from .inputs import _channels_last, batch_input_size, make_synthetic_batch
from .models import (
    _deployed, build_benchmark_model, is_distiller, load_benchmark_config)
from .timing import (
    _amp_notes, _count, _gflops, _infer_step, _peak_rss_mib, _short_name,
    _train_step, device_name, memory_kind, resolve_device, time_interleaved,
    time_steps)


#: Modes of :func:`benchmark_config`.
MODES = ('train', 'infer', 'distill')


#: Forward-equivalents of one training step (forward + backward, which
#: costs about twice the forward): the usual 3x rule.
TRAIN_FLOPS_FACTOR = 3


#: Columns of :func:`format_benchmark_table`: (row key, header).
TABLE_FIELDS = (
    ('config', 'config'),
    ('role', 'role'),
    ('model', 'model'),
    ('mode', 'mode'),
    ('input_size', 'input'),
    ('images_per_s', 'images/s'),
    ('step_time_ms', 'step ms'),
    ('peak_memory_mib', 'peak mem MiB'),
    ('gflops', 'GFLOPs/img'),
    ('teacher_gflops', 'teacher GFLOPs/img'),
    ('params_m', 'params M'),
    ('trainable_params_m', 'trainable M'),
    ('achieved_tflops', 'TFLOP/s'),
    ('utilisation', 'util'),
)


class _Measurement:
    """One model built, fed and ready to time; :meth:`row` reports it."""

    def __init__(self, cfg: Config, config_name: str, role: str, mode: str,
                 device: torch.device, batch_size: int, amp: bool,
                 compile_model: bool, channels_last: bool, warmup: int,
                 steps: int, peak_tflops: Optional[float],
                 cached_teacher: bool = False, fuse: bool = False) -> None:
        torch.manual_seed(0)
        model, notes = build_benchmark_model(cfg, device)
        if fuse:  # benchmark() and benchmark_config() refuse it for training
            from fbp_mm.models.utils import fuse_for_inference
            counts = fuse_for_inference(_deployed(model))
            notes.append(
                'fused for inference (fuse_for_inference): '
                f'{counts["layer_scales"]} layer scales folded, '
                f'{counts["position_encodings"]} position encodings cached, '
                f'{counts["batch_norms"]} batch norms folded')
        self.cache_dir = None
        if cached_teacher:
            import tempfile
            from fbp_mm.models.distillers import TeacherOutputCache
            self.cache_dir = tempfile.TemporaryDirectory()
            model.teacher_cache = TeacherOutputCache(self.cache_dir.name)
            model.teacher_cache.open('benchmark')
            notes.append('teacher outputs from the cache (filled by the '
                         'first warm-up step)')
        batch, batch_notes = make_synthetic_batch(cfg, model, batch_size,
                                                  mode)
        notes += batch_notes
        size = batch_input_size(batch)

        gflops, why = _gflops(_deployed(model), size)
        if why:
            notes.append(f'GFLOPs n/a: {why}')
        teacher_gflops = None
        self.train_like = mode in ('train', 'distill')
        self.with_teacher = (self.train_like and role == 'distiller'
                             and not cached_teacher)
        if self.with_teacher:
            teacher_size = getattr(model, 'teacher_input_size', None) or size
            teacher_gflops, why = _gflops(model.teacher, tuple(teacher_size))
            if why:
                notes.append(f'teacher GFLOPs n/a: {why}')

        if cfg.get('channels_last', False):
            notes.append("the config's channels_last = True: weights and "
                         'preprocessed batches channels-last')
        if channels_last:
            model.to(memory_format=torch.channels_last)
            batch = dict(batch, inputs=_channels_last(batch['inputs']))
        if amp:
            notes += _amp_notes(device)
        self.batch = model.data_preprocessor.cast_data(batch)
        if self.train_like:
            self.step = _train_step(model, cfg, device, amp, notes)
        else:
            self.step = _infer_step(model, device, amp)
        if compile_model:
            model.compile()
        self.warmup = max(warmup, 1 if cached_teacher else 0)
        self.steps = steps
        self.model, self.notes, self.size = model, notes, size
        self.gflops, self.teacher_gflops = gflops, teacher_gflops
        self.info = dict(config=config_name, role=role, mode=mode,
                         batch_size=batch_size, device=device,
                         peak_tflops=peak_tflops)

    def row(self, times: List[float], peak: float) -> dict:
        """The result row of these step times and peak memory."""
        info = self.info
        step_time = statistics.median(times)
        images_per_s = info['batch_size'] / step_time
        achieved = utilisation = None
        if self.gflops is not None and (self.teacher_gflops is not None
                                        or not self.with_teacher):
            # MMEngine counts a multiply-add as one FLOP; hardware peaks
            # count it as two.
            forward = (TRAIN_FLOPS_FACTOR
                       if self.train_like else 1) * self.gflops
            forward += self.teacher_gflops or 0.0
            achieved = 2 * forward * 1e9 * images_per_s / 1e12
            if info['peak_tflops']:
                utilisation = achieved / info['peak_tflops']
        return dict(
            config=info['config'],
            role=info['role'],
            model=type(self.model).__name__,
            mode=info['mode'],
            batch_size=info['batch_size'],
            input_size=f'{self.size[0]}x{self.size[1]}',
            images_per_s=images_per_s,
            step_time_ms=step_time * 1e3,
            step_times_ms=[t * 1e3 for t in times],
            peak_memory_mib=peak,
            memory_kind=memory_kind(info['device']),
            gflops=self.gflops,
            teacher_gflops=self.teacher_gflops,
            params_m=_count(_deployed(self.model)),
            trainable_params_m=_count(self.model, trainable=True),
            achieved_tflops=achieved,
            utilisation=utilisation,
            notes=self.notes)

    def close(self) -> None:
        """Remove the teacher cache's temporary folder, if any."""
        if self.cache_dir is not None:
            self.cache_dir.cleanup()
            self.cache_dir = None


def _peak_memory(device: torch.device) -> float:
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 1024.0**2
    return _peak_rss_mib()


def _reset_peak_memory(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats(device)


def _measure(cfg: Config, config_name: str, role: str, mode: str,
             cached_teacher: bool = False, **settings) -> dict:
    """Build, feed and time one model; one result row."""
    measurement = _Measurement(cfg, config_name, role, mode,
                               cached_teacher=cached_teacher, **settings)
    device = measurement.info['device']
    try:
        _reset_peak_memory(device)
        times = time_steps(measurement.step, measurement.batch, device,
                           measurement.warmup, measurement.steps)
        return measurement.row(times, _peak_memory(device))
    finally:
        measurement.close()


def benchmark_config(config: Union[str, Config],
                     mode: str = 'train',
                     batch_size: int = 32,
                     device: Optional[str] = None,
                     amp: bool = False,
                     compile_model: bool = False,
                     channels_last: bool = False,
                     warmup: int = 3,
                     steps: int = 10,
                     peak_tflops: Optional[float] = None,
                     cfg_options: Optional[dict] = None,
                     teacher_cache: bool = False,
                     fuse: bool = False) -> List[dict]:
    """Benchmark one config; one row, or two for ``mode='distill'``
    (three with ``teacher_cache``).

    ``distill`` times the distiller's training step (the student's step
    with the teacher's forward) and then the student built alone from the
    distiller's ``student`` (:func:`fbp_mm.models.distillers.
    student_config`), so the teacher's share of the step is visible.

    Args:
        config (str | Config): The config (see
            :func:`load_benchmark_config`).
        mode (str): ``'train'``: a full ``model.train_step`` through the
            config's optimizer wrapper; ``'infer'``: ``model.test_step``
            in eval mode under ``torch.no_grad()`` (self-supervised
            algorithms: backbone features, ``mode='tensor'``);
            ``'distill'``: a distiller's training step and its student's.
            Defaults to ``'train'``.
        batch_size (int): Images per step. Defaults to 32.
        device (str, optional): ``'cpu'`` or ``'cuda'``. Defaults to CUDA
            when available.
        amp (bool): bf16 autocast around the step. Defaults to False.
        compile_model (bool): ``torch.compile`` the model (its ``__call__``,
            in place). Defaults to False.
        channels_last (bool): Model and input batch in channels-last
            memory format. Defaults to False.
        warmup (int): Untimed steps first. Defaults to 3.
        steps (int): Timed steps; the median is reported. Defaults to 10.
        peak_tflops (float, optional): The device's peak TFLOP/s for the
            precision used, to report the utilisation. Defaults to None.
        cfg_options (dict, optional): Config overrides.
        teacher_cache (bool): With ``mode='distill'``, also time the
            distiller's step with the teacher's outputs taken from a
            :class:`~fbp_mm.models.distillers.TeacherOutputCache` (role
            ``'distiller, cached teacher'``). Defaults to False.
        fuse (bool): With ``mode='infer'``, time the deployed network
            rewritten by :func:`fbp_mm.models.utils.fuse_for_inference`
            (layer scales and ResNet batch norms folded, position
            encodings cached). Defaults to False.

    Returns:
        list[dict]: Result rows (see :data:`TABLE_FIELDS`, plus
        ``batch_size``, ``step_times_ms``, ``memory_kind``, ``notes``).

    Example:
        >>> rows = benchmark_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
        ...     batch_size=2, device='cpu', warmup=1, steps=2)
        >>> rows[0]['images_per_s'] > 0
        True
    """
    _check_fuse(mode, fuse)
    specs = _measurement_specs(config, mode, cfg_options, teacher_cache)
    settings = _settings(device, batch_size, amp, compile_model,
                         channels_last, warmup, steps, peak_tflops, fuse)
    return [_measure(*spec, **settings) for spec in specs]


def _check_fuse(mode: str, fuse: bool) -> None:
    if fuse and mode != 'infer':
        raise ValueError(
            "fuse rewrites a network for inference: mode='infer', not "
            f'{mode!r} (a fused network trains another parametrisation)')


def _settings(device: Optional[str], batch_size: int, amp: bool,
              compile_model: bool, channels_last: bool, warmup: int,
              steps: int, peak_tflops: Optional[float],
              fuse: bool = False) -> dict:
    if batch_size < 1:
        raise ValueError(f'batch_size must be positive, got {batch_size}')
    return dict(
        device=resolve_device(device), batch_size=batch_size, amp=amp,
        compile_model=compile_model, channels_last=channels_last,
        warmup=warmup, steps=steps, peak_tflops=peak_tflops, fuse=fuse)


def _measurement_specs(config: Union[str, Config], mode: str,
                       cfg_options: Optional[dict],
                       teacher_cache: bool) -> List[tuple]:
    """``(cfg, name, role, mode, cached_teacher)`` of each row to measure."""
    if mode not in MODES:
        raise ValueError(f'mode must be one of {MODES}, got {mode!r}')
    cfg = load_benchmark_config(config, cfg_options)
    name = _short_name(config)
    if mode == 'distill' and not is_distiller(cfg):
        raise ValueError(
            f'--mode distill needs a distiller config (model with student '
            f'and teacher); {name} has model type '
            f'{cfg.model.get("type")!r}. Use --mode train.')
    role = 'distiller' if is_distiller(cfg) else 'model'
    specs = [(copy.deepcopy(cfg), name, role, mode, False)]
    if mode == 'distill':
        from fbp_mm.models.distillers import student_config
        specs.append((student_config(cfg), name, 'student alone', 'train',
                      False))
        if teacher_cache:
            specs.append((copy.deepcopy(cfg), name,
                          'distiller, cached teacher', mode, True))
    return specs


def _benchmark_interleaved(specs: List[tuple], settings: dict) -> List[dict]:
    """Build every spec's model first, then time them taking turns."""
    device = settings['device']
    measurements = []
    try:
        for spec in specs:
            *args, cached = spec
            measurements.append(
                _Measurement(*args, cached_teacher=cached, **settings))
        _reset_peak_memory(device)
        warmup = max(m.warmup for m in measurements)
        times = time_interleaved(
            {index: (m.step, m.batch)
             for index, m in enumerate(measurements)}, device, warmup,
            settings['steps'])
        peak = _peak_memory(device)
        rows = []
        for index, measurement in enumerate(measurements):
            row = measurement.row(times[index], peak)
            row['notes'] = row['notes'] + [
                'interleaved: all models of this run were resident and '
                'took turns step by step; the peak memory is theirs '
                'together']
            rows.append(row)
        return rows
    finally:
        for measurement in measurements:
            measurement.close()


def _interleaved_rows(config: Union[str, Config],
                      compare: Optional[Union[str, Config]], kwargs: dict,
                      compare_kwargs: Optional[dict]) -> tuple:
    """Rows of ``config`` and of ``compare``, timed taking turns."""
    settings = inspect.signature(benchmark_config).bind(config, **kwargs)
    settings.apply_defaults()
    arguments = dict(settings.arguments)
    arguments.pop('config')
    spec_keys = ('mode', 'cfg_options', 'teacher_cache')
    specs = _measurement_specs(config,
                               *(arguments.pop(k) for k in spec_keys))
    first = len(specs)
    if compare is not None:
        specs += _measurement_specs(
            compare, compare_kwargs.get('mode', 'train'), None,
            compare_kwargs.get('teacher_cache', False))
    rows = _benchmark_interleaved(specs, _settings(**arguments))
    return rows[:first], rows[first:]


def _ratio(a: dict, b: dict, what: str) -> dict:
    return dict(
        what=what,
        numerator=f'{a["config"]} ({a["role"]})',
        denominator=f'{b["config"]} ({b["role"]})',
        images_per_s=a['images_per_s'] / b['images_per_s'],
        step_time=a['step_time_ms'] / b['step_time_ms'])


def benchmark(config: Union[str, Config],
              compare: Optional[Union[str, Config]] = None,
              interleave: bool = False,
              **kwargs) -> dict:
    """Benchmark a config, and optionally a second one to compare with.

    Args:
        config (str | Config): The config.
        compare (str | Config, optional): A second config, benchmarked in
            the same process with the same settings, but without
            ``cfg_options`` (``mode='distill'`` times a training step of a
            compare config that is not a distiller). Defaults to None.
        interleave (bool): Build every model of the run first (the
            config's rows and the compare config's), then time them taking
            turns step by step (:func:`~fbp_mm.utils.benchmark.
            time_interleaved`), so that a noisy, shared machine slows all
            alike and the ratios hold; the peak memory is then that of all
            models together. Defaults to False (one model after the other).
        **kwargs: The settings of :func:`benchmark_config`.

    Returns:
        dict: ``meta`` (torch / MMEngine / MMPretrain versions, device and
        its name, batch size, mode and every setting, what the memory
        field measures), ``rows`` (one per measured model) and ``ratios``
        (``images_per_s`` and ``step_time`` of config / compare, and of a
        distiller / its student alone).

    Example:
        >>> report = benchmark(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
        ...     compare='configs/fiqa/demo/edgenext-xxsmall_1xb32-24e_'
        ...     'fiqa-demo-64px_student.py',
        ...     batch_size=2, device='cpu', warmup=1, steps=2)
        >>> [(row['config'], row['input_size']) for row in report['rows']]
        ... # doctest: +NORMALIZE_WHITESPACE
        [('resnet18-w16_1xb32-20e_demo-faces', '64x64'),
         ('edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student', '64x64')]
        >>> print(format_benchmark_table(report))  # doctest: +ELLIPSIS
        torch ..., mmengine ..., mmpretrain ...
        device: cpu (...)
        batch size: 2, mode: train, amp: False, compile: False, ...
        ...
        | resnet18-w16_1xb32-20e_demo-faces ... | model | ImageClassifier | ...
        | edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student | model | ...
        ...
        ratio config / compare: images/s x..., step time x... (...)
        note [resnet18-w16_1xb32-20e_demo-faces model]: weights: ...
        note [edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student model]: ...
    """
    import mmengine
    import mmpretrain
    _check_fuse(kwargs.get('mode', 'train'), kwargs.get('fuse', False))
    device = resolve_device(kwargs.get('device'))
    kwargs['device'] = str(device)
    logger = MMLogger.get_current_instance()
    level = logger.level
    # building logs every teacher warning and config detail; keep the table
    logger.setLevel(logging.ERROR)
    try:
        compare_kwargs = None
        if compare is not None:
            # overrides name keys of the first config's model
            compare_kwargs = dict(kwargs, cfg_options=None)
            if kwargs.get('mode') == 'distill' and not is_distiller(
                    load_benchmark_config(compare)):
                # a plain model has no distillation step: its training step
                compare_kwargs['mode'] = 'train'
        if interleave:
            rows, compare_rows = _interleaved_rows(config, compare, kwargs,
                                                   compare_kwargs)
        else:
            rows = benchmark_config(config, **kwargs)
            compare_rows = []
            if compare is not None:
                compare_rows = benchmark_config(compare, **compare_kwargs)
    finally:
        logger.setLevel(level)
    ratios = []
    if len(rows) >= 2:
        ratios.append(_ratio(rows[0], rows[1], 'distiller / student alone'))
    if len(rows) == 3:
        ratios.append(_ratio(rows[2], rows[1],
                             'cached distiller / student alone'))
    if compare_rows:
        ratios.append(_ratio(rows[0], compare_rows[0], 'config / compare'))
    meta = dict(
        torch=torch.__version__,
        mmengine=mmengine.__version__,
        mmpretrain=mmpretrain.__version__,
        device=str(device),
        device_name=device_name(device),
        batch_size=kwargs.get('batch_size', 32),
        mode=kwargs.get('mode', 'train'),
        amp=bool(kwargs.get('amp', False)),
        compile=bool(kwargs.get('compile_model', False)),
        channels_last=bool(kwargs.get('channels_last', False)),
        fuse=bool(kwargs.get('fuse', False)),
        interleave=bool(interleave),
        warmup=kwargs.get('warmup', 3),
        steps=kwargs.get('steps', 10),
        peak_tflops=kwargs.get('peak_tflops', None),
        memory=memory_kind(device),
        flops='GFLOPs/img: MMEngine FlopAnalyzer, one forward of the '
        'deployed network in eval mode (1 multiply-add = 1 FLOP); '
        f'TFLOP/s = 2 x GFLOPs x ({TRAIN_FLOPS_FACTOR} for train/distill, '
        '1 for infer; + teacher forward when distilling) x images/s')
    return dict(meta=meta, rows=rows + compare_rows, ratios=ratios)


def _cell(row: dict, key: str) -> str:
    value = row.get(key)
    if value is None:
        counted = key in ('gflops', 'achieved_tflops') or (
            key == 'teacher_gflops' and row['role'] == 'distiller'
            and row['mode'] != 'infer')
        return 'n/a' if counted else '-'
    if key == 'utilisation':
        return f'{100 * value:.2f}%'
    if isinstance(value, float):
        if key in ('gflops', 'teacher_gflops', 'achieved_tflops') or \
                key.endswith('_m'):
            return f'{value:.4g}'
        return f'{value:.2f}'
    return str(value)


def format_benchmark_table(report: dict) -> str:
    """The report of :func:`benchmark` as text: settings, table, ratios.

    Args:
        report (dict): What :func:`benchmark` returned.

    Returns:
        str: Lines joined by newlines: the versions, device and settings;
        a table with a row per measured model and a column per field of
        :data:`TABLE_FIELDS` (``n/a`` where FLOPs could not be counted,
        ``-`` where a field does not apply); the ratios; the notes.

    Example:
        >>> print(format_benchmark_table(benchmark(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
        ...     batch_size=2, device='cpu', warmup=1, steps=2)))
        ... # doctest: +ELLIPSIS
        torch ..., mmengine ..., mmpretrain ...
        device: cpu (...)
        batch size: 2, mode: train, amp: False, compile: False, ...
        peak memory: ...
        GFLOPs/img: MMEngine FlopAnalyzer, ...
        +-----------------------------------+-------+-----------------+...
        | config                            | role  | model           |...
        +-----------------------------------+-------+-----------------+...
        | resnet18-w16_1xb32-20e_demo-faces | model | ImageClassifier |...
        +-----------------------------------+-------+-----------------+...
        note [resnet18-w16_1xb32-20e_demo-faces model]: weights: ...
    """
    meta = report['meta']
    lines = [
        f'torch {meta["torch"]}, mmengine {meta["mmengine"]}, mmpretrain '
        f'{meta["mmpretrain"]}',
        f'device: {meta["device"]} ({meta["device_name"]})',
        f'batch size: {meta["batch_size"]}, mode: {meta["mode"]}, amp: '
        f'{meta["amp"]}, compile: {meta["compile"]}, channels_last: '
        f'{meta["channels_last"]}, fuse: {meta.get("fuse", False)}, '
        f'warmup: {meta["warmup"]}, steps: '
        f'{meta["steps"]} (median step time), peak TFLOP/s: '
        f'{meta["peak_tflops"] if meta["peak_tflops"] else "not given"}',
        f'peak memory: {meta["memory"]}',
        meta['flops'],
    ]
    headers = [header for _, header in TABLE_FIELDS]
    table = [[_cell(row, key) for key, _ in TABLE_FIELDS]
             for row in report['rows']]
    widths = [
        max(len(h), *(len(r[i]) for r in table))
        for i, h in enumerate(headers)
    ]
    rule = '+' + '+'.join('-' * (w + 2) for w in widths) + '+'

    def line(cells):
        return '| ' + ' | '.join(
            c.ljust(w) for c, w in zip(cells, widths)) + ' |'

    lines += [rule, line(headers), rule, *(line(r) for r in table), rule]
    for ratio in report['ratios']:
        lines.append(
            f'ratio {ratio["what"]}: images/s x{ratio["images_per_s"]:.3f}, '
            f'step time x{ratio["step_time"]:.3f} ({ratio["numerator"]} / '
            f'{ratio["denominator"]})')
    for row in report['rows']:
        for note in row['notes']:
            lines.append(f'note [{row["config"]} {row["role"]}]: {note}')
    return '\n'.join(lines)


def write_benchmark_json(report: Union[dict, list], path: str) -> None:
    """Write a benchmark report as JSON (that of :func:`benchmark`, or of
    the data, config-reading and process-exit benchmarks).

    Args:
        report (dict | list): What :func:`benchmark` (or another benchmark
            of this package) returned, or a list of such reports.
        path (str): Output file; its folder is created.

    Example:
        >>> import tempfile
        >>> report = benchmark(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
        ...     batch_size=2, device='cpu', warmup=1, steps=2)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     write_benchmark_json(report, tmp + '/bench/resnet.json')
        ...     with open(tmp + '/bench/resnet.json') as f:
        ...         saved = json.load(f)
        >>> saved['rows'][0]['config'], saved['meta']['batch_size']
        ('resnet18-w16_1xb32-20e_demo-faces', 2)
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    with open(path, 'w') as f:
        json.dump(report, f, indent=2)
        f.write('\n')
