"""The benchmark builds any family's model, feeds it the batch its own
pipeline would make, and reports every field; the CLI prints the table."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from tool_runner import REPO_ROOT, python_tool, run_tool

from fbp_mm.utils.benchmark import (TABLE_FIELDS, benchmark,
                                    build_benchmark_model, find_input_size,
                                    format_benchmark_table,
                                    load_benchmark_config,
                                    make_synthetic_batch)


def cfg_path(*parts):
    return osp.join(REPO_ROOT, 'configs', *parts)


SUPERVISED = cfg_path('fbp', 'resnet18-w16_1xb32-20e_demo-faces.py')
MS_MAE = cfg_path('fbp', 'demo', 'ms-mae_vit-tiny-p8_1xb64-8e_demo-faces.py')
KD = cfg_path('fbp', 'demo', 'mae_ms_kd_demo-faces.py')
FIQA_KD = cfg_path('fiqa', 'demo',
                   'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd.py')
FIQA_TEACHER = cfg_path(
    'fiqa', 'demo', 'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher-plus.py')
FACE_PRIOR = cfg_path('face_prior', 'demo',
                      'face-prior_vit-tiny-p8_1xb64-8e_demo-faces.py')
PROS = cfg_path('pros', 'demo', 'pros_vit-tiny-p8_1xb64-8e_demo-faces.py')

TINY = dict(batch_size=2, device='cpu', warmup=1, steps=2)
PEAK = 0.5  # TFLOP/s, any positive number
MISSING_CKPT = '/nonexistent/teacher.pth'

#: Fields that are positive numbers in every row.
POSITIVE = ('images_per_s', 'step_time_ms', 'peak_memory_mib', 'gflops',
            'params_m', 'trainable_params_m', 'achieved_tflops',
            'utilisation')

_REPORTS = {}


def report_for(config, mode):
    """One benchmark per (config, mode), shared by the tests; a
    distiller's teacher checkpoint names a missing file."""
    key = (config, mode)
    if key not in _REPORTS:
        options = dict(model=dict(teacher_ckpt=MISSING_CKPT)) \
            if mode == 'distill' else None
        _REPORTS[key] = benchmark(
            config, mode=mode, peak_tflops=PEAK, cfg_options=options,
            **TINY)
    return _REPORTS[key]


def check_rows(report, roles):
    assert [row['role'] for row in report['rows']] == roles
    for row in report['rows']:
        for key, _ in TABLE_FIELDS:
            assert key in row, key
        for key in POSITIVE:
            assert isinstance(row[key], float) and row[key] > 0, (key, row)
        assert row['batch_size'] == 2
        assert len(row['step_times_ms']) == 2
        assert row['images_per_s'] == pytest.approx(
            2 / (row['step_time_ms'] / 1e3))
        assert row['memory_kind'].startswith('process peak RSS')


@pytest.mark.parametrize('config, mode, model, size', [
    (SUPERVISED, 'train', 'ImageClassifier', '64x64'),
    (SUPERVISED, 'infer', 'ImageClassifier', '64x64'),
    (MS_MAE, 'train', 'MAE', '64x64'),
    (MS_MAE, 'infer', 'MAE', '64x64'),
    (FACE_PRIOR, 'train', 'FacePrior', '64x64'),
    (PROS, 'train', 'ProS', '64x64'),
], ids=lambda v: osp.basename(v) if isinstance(v, str) and '/' in v else v)
def test_every_family_reports_every_field(config, mode, model, size):
    report = report_for(config, mode)
    check_rows(report, ['model'])
    row = report['rows'][0]
    assert (row['model'], row['mode'], row['input_size']) == (model, mode,
                                                               size)
    assert row['teacher_gflops'] is None
    # synthetic inputs feed the pipeline; no fallback was needed
    assert not any('pipeline failed' in n for n in row['notes'])


@pytest.mark.parametrize('config', [KD, FIQA_KD], ids=osp.basename)
def test_distill_times_the_distiller_and_its_student_alone(config):
    report = report_for(config, 'distill')
    check_rows(report, ['distiller', 'student alone'])
    distiller, student = report['rows']
    assert distiller['model'] == 'TeacherStudentDistiller'
    assert student['model'] == 'ImageClassifier'
    assert distiller['teacher_gflops'] > 0
    assert student['teacher_gflops'] is None
    # the student is what is deployed: same FLOPs and parameters
    assert distiller['gflops'] == pytest.approx(student['gflops'])
    assert distiller['params_m'] == pytest.approx(student['params_m'])
    assert any('teacher has random weights' in n and MISSING_CKPT in n
               for n in distiller['notes'])
    ratio, = report['ratios']
    assert ratio['what'] == 'distiller / student alone'
    assert ratio['images_per_s'] == pytest.approx(
        distiller['images_per_s'] / student['images_per_s'])
    assert 'ratio distiller / student alone' in format_benchmark_table(report)


def test_utilisation_counts_three_forwards_per_training_step():
    train = report_for(SUPERVISED, 'train')['rows'][0]
    infer = report_for(SUPERVISED, 'infer')['rows'][0]
    # a multiply-add is one MMEngine FLOP but two hardware FLOPs
    for row, factor in ((train, 3), (infer, 1)):
        expected = 2 * factor * row['gflops'] * row['images_per_s'] / 1e3
        assert row['achieved_tflops'] == pytest.approx(expected)
        assert row['utilisation'] == pytest.approx(expected / PEAK)
    distiller, _ = report_for(FIQA_KD, 'distill')['rows']
    forward = 3 * distiller['gflops'] + distiller['teacher_gflops']
    assert distiller['achieved_tflops'] == pytest.approx(
        2 * forward * distiller['images_per_s'] / 1e3)


def test_an_existing_teacher_checkpoint_is_loaded(tmp_path):
    teacher, _ = build_benchmark_model(load_benchmark_config(FIQA_TEACHER))
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save(dict(state_dict=teacher.state_dict()), ckpt)
    cfg = load_benchmark_config(FIQA_KD, dict(model=dict(teacher_ckpt=ckpt)))
    model, notes = build_benchmark_model(cfg)
    assert f'teacher weights loaded from {ckpt}' in notes
    for name, value in teacher.state_dict().items():
        torch.testing.assert_close(model.teacher.state_dict()[name], value)


def test_synthetic_batches_are_what_each_family_trains_on():
    # supervised: random non-zero uint8 images, gt_score in the head's range
    cfg = load_benchmark_config(SUPERVISED)
    model, _ = build_benchmark_model(cfg)
    batch, notes = make_synthetic_batch(cfg, model, 3)
    assert not notes
    images = torch.stack(batch['inputs'])
    assert images.dtype == torch.uint8 and images.shape == (3, 3, 64, 64)
    assert images.min() >= 1 and images.float().std() > 50
    scores = torch.cat([s.gt_score for s in batch['data_samples']])
    assert scores.shape == (3, ) and 1.0 <= scores.min() <= scores.max() <= 5
    # FacePrior: a list of 2 view batches and per-view face-prior targets
    cfg = load_benchmark_config(FACE_PRIOR)
    model, _ = build_benchmark_model(cfg)
    batch, _ = make_synthetic_batch(cfg, model, 2)
    assert [tuple(v.shape) for v in batch['inputs']] == [(2, 3, 64, 64)] * 2
    sample = batch['data_samples'][0]
    assert np.asarray(sample.face_patch_labels).shape == (2, 8, 8)
    assert np.asarray(sample.face_heatmaps).shape == (2, 68, 8, 8)
    assert np.asarray(sample.face_prior_valid).all()
    # ProS: 2 global and 2 local crops, one batch per view
    cfg = load_benchmark_config(PROS)
    model, _ = build_benchmark_model(cfg)
    batch, _ = make_synthetic_batch(cfg, model, 2)
    assert [v.shape[-1] for v in batch['inputs']] == [64, 64, 32, 32]


def test_input_size_comes_from_the_config():
    assert find_input_size(load_benchmark_config(SUPERVISED)) == 64
    assert find_input_size(load_benchmark_config(PROS)) == 64
    cfg = load_benchmark_config(
        'mmpretrain::mae/mae_vit-base-p16_8xb512-amp-coslr-300e_in1k.py')
    assert find_input_size(cfg) == 224
    # no pipeline: the backbone's img_size
    bare = Config(dict(model=dict(backbone=dict(img_size=96))))
    assert find_input_size(bare) == 96


def test_flops_the_counter_cannot_count_are_na_with_the_reason(
        monkeypatch):
    from fbp_mm.utils import complexity

    def fail(*args, **kwargs):
        raise RuntimeError('cannot trace this model')

    monkeypatch.setattr(complexity, 'count_flops', fail)
    report = benchmark(SUPERVISED, mode='infer', peak_tflops=PEAK, **TINY)
    row, = report['rows']
    assert row['gflops'] is None and row['utilisation'] is None
    assert row['images_per_s'] > 0
    assert 'GFLOPs n/a: RuntimeError: cannot trace this model' in row['notes']
    table = format_benchmark_table(report)
    line, = [t for t in table.splitlines()
             if t.startswith(f'| {row["config"]} ')]
    cells = [c.strip() for c in line.split('|')[1:-1]]
    headers = [h for _, h in TABLE_FIELDS]
    assert cells[headers.index('GFLOPs/img')] == 'n/a'
    assert cells[headers.index('util')] == '-'


def test_inference_of_a_fused_network_and_fuse_refused_for_training():
    from fbp_mm.utils.benchmark import benchmark_config
    report = benchmark(FIQA_KD, mode='infer', fuse=True, **TINY)
    row, = report['rows']
    # the deployed network (the distiller's EdgeNeXt student) was rewritten
    assert ('fused for inference (fuse_for_inference): 12 layer scales '
            'folded, 1 position encodings cached, 0 batch norms folded'
            ) in row['notes']
    assert row['images_per_s'] > 0 and row['gflops'] > 0
    assert report['meta']['fuse'] is True
    assert 'fuse: True' in format_benchmark_table(report)
    plain, = benchmark_config(FIQA_KD, mode='infer', **TINY)
    assert not any('fused' in note for note in plain['notes'])
    for run in (benchmark, benchmark_config):
        with pytest.raises(ValueError,
                           match="inference: mode='infer', not 'train'"):
            run(SUPERVISED, mode='train', fuse=True, **TINY)
    proc = run_tool(python_tool('analysis/benchmark.py', SUPERVISED, '--fuse'),
                    check=False, timeout=300)
    assert proc.returncode == 2
    assert '--fuse rewrites the network for inference: use it with ' \
        '--mode infer, not train' in proc.stderr


def test_distill_mode_needs_a_distiller():
    with pytest.raises(ValueError, match='needs a distiller'):
        benchmark(SUPERVISED, mode='distill', **TINY)


def test_compare_prints_the_ratio_and_cli_writes_json(tmp_path):
    out = str(tmp_path / 'bench.json')
    proc = run_tool(
        python_tool('analysis/benchmark.py', SUPERVISED, '--compare', MS_MAE,
                    '--batch-size', '2', '--warmup', '1', '--steps', '2',
                    '--device', 'cpu', '--peak-tflops', '1', '--json', out),
        timeout=300)
    text = proc.stdout
    assert f'torch {torch.__version__}' in text
    assert 'device: cpu (CPU' in text and 'batch size: 2' in text
    for _, header in TABLE_FIELDS:
        assert header in text, header
    with open(out) as f:
        report = json.load(f)
    first, second = report['rows']
    assert first['model'] == 'ImageClassifier' and second['model'] == 'MAE'
    for row in report['rows']:
        assert row['config'] in text
        assert f'{row["images_per_s"]:.2f}' in text
        assert f'{100 * row["utilisation"]:.2f}%' in text
    ratio, = report['ratios']
    assert ratio['what'] == 'config / compare'
    assert ratio['images_per_s'] == pytest.approx(
        first['images_per_s'] / second['images_per_s'])
    assert ratio['step_time'] == pytest.approx(
        first['step_time_ms'] / second['step_time_ms'])
    assert f'ratio config / compare: images/s x{ratio["images_per_s"]:.3f}' \
        in text


def test_flops_of_an_algorithm_with_a_student_method_count_the_model():
    # ProS has a `student()` method, not a student network: the whole
    # algorithm is counted, not refused
    from fbp_mm.utils.complexity import deployed_module
    from mmpretrain.registry import MODELS

    class WithMethod(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.backbone = torch.nn.Linear(2, 2)

        def student(self):
            return self.backbone

    model = WithMethod()
    assert deployed_module(model) is model
    distiller_like = torch.nn.Module()
    distiller_like.student = MODELS.build(
        dict(type='mmpretrain.LinearClsHead', num_classes=2, in_channels=4))
    assert deployed_module(distiller_like) is distiller_like.student


def test_data_pipeline_throughput_per_worker(tmp_path):
    from fbp_mm.utils.benchmark import benchmark_data_pipeline
    config = osp.join(REPO_ROOT, 'configs', 'pros', 'demo',
                      'pros_vit-tiny-p8_1xb64-8e_demo-faces.py')
    report = benchmark_data_pipeline(config, num_images=4, repeats=1)
    assert report['size'] == 64 and report['num_images'] == 4
    assert report['transforms'] == ['LoadImageFromFile', 'MultiCrop',
                                    'PackInputs']
    assert report['images_per_s'] > 0
    assert report['ms_per_image'] == pytest.approx(
        1000 / report['images_per_s'], rel=0.01)
    with pytest.raises(ValueError, match='no test pipeline'):
        benchmark_data_pipeline(config, split='test', num_images=1)
    assert [p['dataset'] for p in report['pipelines']] == ['dataset']


def test_data_pipeline_throughput_of_each_concatenated_part(tmp_path):
    # labeled faces and two unlabeled pools, degraded afresh: the report
    # and the CLI give each part's pipeline its own number
    config = cfg_path(
        'fiqa', 'demo',
        'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd-unlabeled.py')
    out = str(tmp_path / 'data.json')
    proc = run_tool(
        python_tool('analysis/benchmark_data.py', config, '--num-images',
                    '3', '--json', out), timeout=300)
    with open(out) as f:
        report, = json.load(f)
    parts = report['pipelines']
    assert [p['dataset'] for p in parts] == [
        'dataset.datasets.0', 'dataset.datasets.1', 'dataset.datasets.2']
    assert 'RandomFaceDegradation' not in parts[0]['transforms']
    assert parts[1]['transforms'][1] == 'RandomFaceDegradation'
    assert report['transforms'] == parts[0]['transforms']
    for part in parts:
        assert part['images_per_s'] > 0
        assert f"[{part['dataset']}]: {part['images_per_s']} images/s" in \
            proc.stdout


def test_distill_with_the_teacher_cache_runs_the_teacher_once(monkeypatch):
    from fbp_mm.models.distillers import TeacherStudentDistiller
    calls = []
    live = TeacherStudentDistiller._run_teacher

    def counting(self, inputs):
        calls.append(self.teacher_cache is not None)
        return live(self, inputs)

    monkeypatch.setattr(TeacherStudentDistiller, '_run_teacher', counting)
    report = benchmark(FIQA_KD, mode='distill', teacher_cache=True,
                       peak_tflops=PEAK,
                       cfg_options=dict(model=dict(teacher_ckpt=MISSING_CKPT)),
                       **dict(TINY, warmup=1, steps=2))
    check_rows(report, ['distiller', 'student alone',
                        'distiller, cached teacher'])
    # the live distiller: every step; the cached one: its first warm-up
    # step only, which fills the cache
    assert calls == [False] * 3 + [True]
    cached = report['rows'][2]
    assert cached['teacher_gflops'] is None
    assert any('from the cache' in n for n in cached['notes'])
    assert [r['what'] for r in report['ratios']] == [
        'distiller / student alone', 'cached distiller / student alone']


def test_paired_speed_ratio_is_the_median_of_the_rounds_ratios():
    from fbp_mm.utils.benchmark import paired_speed_ratio
    # three rounds of two steps: ours 2x, 1x (both slowed), 4x faster
    ours = [1.0, 1.0, 6.0, 6.0, 0.5, 0.5]
    theirs = [2.0, 2.0, 6.0, 6.0, 2.0, 2.0]
    assert paired_speed_ratio(ours, theirs, block=2) == 2.0
    # one step per round: the median of the six step ratios
    assert paired_speed_ratio(ours, theirs) == 2.0
    assert paired_speed_ratio([1.0, 3.0], [3.0, 3.0]) == 2.0
    # a hiccup of ours in round 2, a slow spell of the machine in round
    # 3: the medians of all steps (4 against 2 s) would say ours is half
    # as fast; two of the three rounds say twice as fast
    assert paired_speed_ratio([1.0, 4.0, 4.0], [2.0, 2.0, 8.0]) == 2.0
    with pytest.raises(ValueError, match='got 2 and 3 steps'):
        paired_speed_ratio([1.0, 1.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match='got 0 and 0 steps'):
        paired_speed_ratio([], [])


def test_interleaved_timing_takes_turns_and_keeps_each_calls_times():
    from fbp_mm.utils.benchmark import time_interleaved
    order = []

    def step(name):
        def run(data):
            order.append(name)
            data['x'].add_(1)  # each call gets its own copy of the batch
            assert data['x'].item() == 1
        return run

    batch = dict(x=torch.zeros(1))
    times = time_interleaved(
        dict(a=(step('a'), batch), b=(step('b'), batch),
             c=(step('c'), batch)), torch.device('cpu'), warmup=1, steps=4)
    # warm-up of each, then rounds whose order rotates
    assert order == ['a', 'b', 'c'] + ['a', 'b', 'c'] + ['b', 'c', 'a'] + [
        'c', 'a', 'b'] + ['a', 'b', 'c']
    assert sorted(times) == ['a', 'b', 'c']
    assert all(len(t) == 4 and min(t) > 0 for t in times.values())
    assert batch['x'].item() == 0
    with pytest.raises(ValueError, match='steps and block must be at'):
        time_interleaved(dict(a=(step('a'), batch)), torch.device('cpu'),
                         steps=0)
    # in blocks: one untimed call, then up to `block` timed ones per turn
    order.clear()
    times = time_interleaved(
        dict(a=(step('a'), batch), b=(step('b'), batch)),
        torch.device('cpu'), warmup=0, steps=3, block=2, pause=0.001)
    assert order == ['a'] * 3 + ['b'] * 3 + ['b'] * 2 + ['a'] * 2
    assert [len(times['a']), len(times['b'])] == [3, 3]


def test_interleaved_benchmark_reports_the_same_rows_and_ratios():
    report = benchmark(
        FIQA_KD, compare=SUPERVISED, interleave=True, mode='distill',
        peak_tflops=PEAK,
        cfg_options=dict(model=dict(teacher_ckpt=MISSING_CKPT)), **TINY)
    check_rows(report, ['distiller', 'student alone', 'model'])
    assert report['meta']['interleave'] is True
    # the compare config is not a distiller: its training step
    assert report['rows'][2]['mode'] == 'train'
    assert all(any(n.startswith('interleaved:') for n in row['notes'])
               for row in report['rows'])
    peaks = {row['peak_memory_mib'] for row in report['rows']}
    assert len(peaks) == 1
    distill, compare = report['ratios']
    assert distill['what'] == 'distiller / student alone'
    assert compare['what'] == 'config / compare'
    rows = report['rows']
    assert compare['images_per_s'] == pytest.approx(
        rows[0]['images_per_s'] / rows[2]['images_per_s'])


def test_speed_targets_are_judged_from_the_benchmark_report():
    from fbp_mm.utils.benchmark import (SpeedCheck, SpeedRun,
                                        check_speed_targets,
                                        format_speed_targets)
    run = SpeedRun(
        'demo kd', KD,
        settings=dict(mode='distill', teacher_cache=True,
                      cfg_options=dict(model=dict(teacher_ckpt=MISSING_CKPT))),
        checks=[
            SpeedCheck('fast enough', 'images_per_s', 1e-3),
            SpeedCheck('impossibly fast', 'images_per_s', 1e12),
            SpeedCheck('cached step at most 100x', 'cached_step_time', 100.0,
                       at_least=False),
            SpeedCheck('utilisation', 'utilisation', 0.3),
        ])
    result, = check_speed_targets([run], **TINY)
    report = result['report']
    met = [c['met'] for c in result['checks']]
    # no peak given: no utilisation, so that check is n/a, not failed
    assert met == [True, False, True, None]
    assert result['checks'][0]['value'] == report['rows'][0]['images_per_s']
    cached = [r for r in report['ratios']
              if r['what'] == 'cached distiller / student alone'][0]
    assert result['checks'][2]['value'] == cached['step_time']
    table = format_speed_targets([result])
    assert '| impossibly fast |' in table and '| >= 1e+12 | NO |' in table
    assert '| utilisation | n/a | >= 0.3 | n/a |' in table


def test_the_gpu_targets_name_loadable_configs_and_known_values():
    from fbp_mm.utils.benchmark import GPU_TARGETS, load_benchmark_config
    from fbp_mm.utils.benchmark.targets import _RATIOS
    names = {check.name for run in GPU_TARGETS for check in run.checks}
    assert len(names) == 7
    for run in GPU_TARGETS:
        assert load_benchmark_config(run.config).model.type
        for check in run.checks:
            assert check.value in ('utilisation', 'images_per_s', *_RATIOS)
            if check.value == 'cached_step_time':
                assert run.settings['teacher_cache']
            if check.value == 'compare_images_per_s':
                assert run.compare
    proc = run_tool(python_tool('analysis/speed_targets.py', '--list'),
                    timeout=120)
    assert 'EdgeNeXt-XXS @352 images/s from uint8 batches >= 30000' in \
        proc.stdout
    bad = run_tool(python_tool('analysis/speed_targets.py', '--only', 'x'),
                   timeout=120, check=False)
    assert bad.returncode == 1 and "unknown run(s) ['x']" in bad.stdout


def test_reading_benchmark_reports_both_readers_round_by_round(tmp_path):
    configs = [cfg_path('fbp', 'resnet18-w16_1xb32-20e_demo-faces.py'),
               cfg_path('fbp', 'mae_ms_kd.py')]
    out = str(tmp_path / 'reading.json')
    proc = run_tool(
        python_tool('analysis/benchmark_config_reading.py', *configs,
                    '--rounds', '2', '--json', out))
    with open(out) as f:
        report = json.load(f)
    assert report['configs'] == 2 and report['rounds'] == 2
    assert list(report['readers']) == ['Config.fromfile', 'load_config']
    for name, row in report['readers'].items():
        assert len(row['seconds']) == 2 and row['first_round'] == \
            row['seconds'][0]
        assert row['ms_per_config'] == pytest.approx(
            1000 * row['median'] / 2, abs=0.06)
        assert f"{name}: median {row['median']} s" in proc.stdout
    fromfile, ours = (report['readers'][n]['median']
                      for n in ('Config.fromfile', 'load_config'))
    assert report['ratio'] == pytest.approx(fromfile / ours, abs=0.01)
    assert f"ratio Config.fromfile / load_config: x{report['ratio']}" in \
        proc.stdout
    text = report['pretty_text']
    assert text['configs'] == 2 and text['reads'] == 7
    assert 'pretty_text read 7 times from each config:' in proc.stdout
    for name, row in text['kinds'].items():
        assert f"{name}: {row['seconds']} s" in proc.stdout
    gone = run_tool(python_tool('analysis/benchmark_config_reading.py',
                                str(tmp_path / 'gone.py')), check=False)
    assert gone.returncode == 1
    assert f"error: {tmp_path / 'gone.py'}: no such file" in gone.stdout


def test_exit_benchmark_prints_and_writes_both_kinds(tmp_path):
    out = str(tmp_path / 'exit.json')
    proc = run_tool(
        python_tool('analysis/benchmark_process_exit.py', '--module', 'json',
                    '--rounds', '1', '--json', out))
    with open(out) as f:
        report = json.load(f)
    assert report['module'] == 'json' and report['rounds'] == 1
    assert 'import json, 1 processes of each kind' in proc.stdout
    for name, row in report['variants'].items():
        assert (f"{name}: start {row['start']} s, import {row['import']} s, "
                f"exit {row['exit']} s") in proc.stdout
    assert f"saved at each exit: {report['exit_saved']} s" in proc.stdout
