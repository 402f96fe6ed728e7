"""ONNX export of a tiny student: ONNX Runtime gives PyTorch's scores."""
import json
import os.path as osp
import tempfile

import numpy as np
import onnxruntime  # noqa: F401  (a test requirement: fail, never skip)
import pytest
import torch

from fbp_mm.apis import build_model_from_config
from fbp_mm.apis.onnx_export import (check_onnx, compare_speed, export_onnx,
                                     onnx_batch_size, scoring_network,
                                     summarize_speed_runs)
from fbp_mm.utils.benchmark.inputs import find_input_size

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
STUDENT_KD = osp.join(
    REPO_ROOT, 'configs', 'fiqa', 'demo',
    'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd.py')
STUDENT = STUDENT_KD.replace('_student-kd.py', '_student.py')


@pytest.fixture(scope='module')
def student(tmp_path_factory):
    """The demo FIQA student (random weights) as a checkpoint, exported."""
    root = tmp_path_factory.mktemp('onnx')
    torch.manual_seed(0)
    model = build_model_from_config(STUDENT)
    ckpt = str(root / 'student.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    network = scoring_network(STUDENT, ckpt)
    onnx_file = export_onnx(network, str(root / 'student.onnx'), size=64)
    return model, network, onnx_file, ckpt


def test_onnx_runtime_matches_pytorch(student):
    model, network, onnx_file, _ = student
    assert check_onnx(onnx_file, network, 64, batch_size=3) < 1e-4
    # the graph holds the normalisation and channel order: raw BGR pixels
    # in, the model's own prediction out
    import onnxruntime as ort
    img = np.random.default_rng(1).uniform(0, 255, (1, 3, 64, 64))
    img = img.astype(np.float32)
    session = ort.InferenceSession(onnx_file,
                                   providers=['CPUExecutionProvider'])
    onnx_score = session.run(None, {'inputs': img})[0]
    model.eval()
    with torch.no_grad():
        batch = model.data_preprocessor(
            dict(inputs=[torch.from_numpy(img[0])]), training=False)
        pred = model(batch['inputs'], mode='predict')[0].pred_score
    assert onnx_score.shape == (1, 1)
    assert abs(float(onnx_score[0, 0]) - float(pred[0])) < 1e-4


def test_fixed_batch_export_drops_the_shape_arithmetic(student, tmp_path):
    import onnx
    _, network, dynamic_file, _ = student
    fixed_file = export_onnx(network, str(tmp_path / 'b2.onnx'), size=64,
                             batch_size=2)
    assert onnx_batch_size(dynamic_file) is None
    assert onnx_batch_size(fixed_file) == 2
    # same scores; the batch size defaults to the model's
    assert check_onnx(fixed_file, network, 64) < 1e-4

    def ops(path):
        return [n.op_type for n in onnx.load(path).graph.node]

    # a dynamic batch axis costs Shape nodes and the arithmetic on them
    # (27 here, 8 left with a fixed one), and the position encoding's
    # zeros of the batch's shape are a constant only with a fixed batch
    dynamic_ops, fixed_ops = ops(dynamic_file), ops(fixed_file)
    assert fixed_ops.count('Shape') < dynamic_ops.count('Shape') / 2
    assert dynamic_ops.count('ConstantOfShape') == 1
    assert fixed_ops.count('ConstantOfShape') == 0
    assert len(fixed_ops) < 0.8 * len(dynamic_ops)
    # timed beside the dynamic export, in the same turns
    report = compare_speed(fixed_file, network, 64, batch_size=2, steps=2,
                           warmup=1, onnx_references={'dynamic': dynamic_file})
    dynamic = report['onnx_references']['dynamic']
    assert dynamic['onnx_over_reference'] == pytest.approx(
        report['onnxruntime_images_per_s'] / dynamic['images_per_s'])
    assert dynamic['best_onnx_over_reference'] == pytest.approx(
        report['onnxruntime_best_images_per_s'] /
        dynamic['best_images_per_s'])
    assert dynamic['paired_onnx_over_reference'] > 0
    with pytest.raises(ValueError, match='for batch size 2 only, not 3'):
        check_onnx(fixed_file, network, 64, batch_size=3)
    with pytest.raises(ValueError, match='for batch size 2 only, not 1'):
        compare_speed(fixed_file, network, 64, batch_size=1, steps=1)
    with pytest.raises(ValueError, match='must be positive'):
        export_onnx(network, str(tmp_path / 'b0.onnx'), 64, batch_size=0)


def test_channels_last_network_follows_the_config_and_exports(
        student, tmp_path):
    model, network, _, ckpt = student
    assert network.channels_last  # the demo config switches it on
    slow = scoring_network(STUDENT, ckpt, channels_last=False)
    assert not slow.channels_last
    fast = network
    x = torch.rand(2, 3, 64, 64) * 255
    with torch.no_grad():
        torch.testing.assert_close(fast(x), slow(x), rtol=1e-4,
                                   atol=1e-5)
    onnx_file = export_onnx(fast, str(tmp_path / 'cl.onnx'), size=64)
    assert check_onnx(onnx_file, fast, 64, batch_size=2) < 1e-4
    full = osp.join(REPO_ROOT, 'configs', 'fiqa',
                    'edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py')
    assert scoring_network(full).channels_last  # its config switches it on
    # asked for channels-first, a model built channels-last is turned back
    first = scoring_network(full, channels_last=False)
    conv = next(m for m in first.net.modules()
                if isinstance(m, torch.nn.Conv2d))
    assert conv.weight.is_contiguous()
    assert not conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_speed_report_has_both_runtimes(student):
    _, network, onnx_file, _ = student
    report = compare_speed(onnx_file, network, 64, steps=3, warmup=1)
    assert report['onnxruntime_images_per_s'] > 0
    assert report['pytorch_images_per_s'] > 0
    assert report['ratio'] == pytest.approx(
        report['onnxruntime_images_per_s'] / report['pytorch_images_per_s'])
    # the fastest call is at least as fast as the median one
    assert report['pytorch_best_images_per_s'] >= \
        report['pytorch_images_per_s']
    assert report['best_ratio'] == pytest.approx(
        report['onnxruntime_best_images_per_s'] /
        report['pytorch_best_images_per_s'])
    assert report['paired_ratio'] > 0


def test_speed_report_times_reference_networks_beside_ours(student):
    _, network, onnx_file, _ = student
    slow = torch.nn.Sequential(network, torch.nn.Identity())
    report = compare_speed(onnx_file, network, 64, steps=3, warmup=1,
                           references=dict(same=slow))
    same = report['references']['same']
    assert same['images_per_s'] > 0
    assert same['pytorch_over_reference'] == pytest.approx(
        report['pytorch_images_per_s'] / same['images_per_s'])
    assert same['best_pytorch_over_reference'] == pytest.approx(
        report['pytorch_best_images_per_s'] / same['best_images_per_s'])
    assert same['paired_pytorch_over_reference'] > 0


class _FakeTimm:
    """Stands in for the timm package: records what is asked of it."""

    def __init__(self):
        self.calls = []

    def create_model(self, name, pretrained, num_classes):
        self.calls.append((name, pretrained, num_classes))
        features = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1),
                                       torch.nn.Flatten())
        features.num_features = 3
        return features


def test_timm_reference_has_our_input_processing_and_head(
        student, monkeypatch):
    import sys

    from fbp_mm.utils.benchmark import timm_reference
    _, network, _, _ = student
    fake = _FakeTimm()
    monkeypatch.setitem(sys.modules, 'timm', fake)
    reference = timm_reference('edgenext_xx_small', network)
    # random weights, no classifier of timm's: our MLP head instead
    assert fake.calls == [('edgenext_xx_small', False, 0)]
    head = reference.net.head
    assert [(m.in_features, m.out_features) for m in head] == [(3, 128),
                                                              (128, 1)]
    assert not reference.training
    x = torch.rand(2, 3, 8, 8) * 255
    rgb = x.flip(1) if network.to_rgb else x
    pooled = ((rgb - network.mean) / network.std).mean(dim=(2, 3))
    with torch.no_grad():
        assert torch.allclose(reference(x), head(pooled), atol=1e-6)
    monkeypatch.setitem(sys.modules, 'timm', None)
    with pytest.raises(ImportError, match='pip install timm'):
        timm_reference('edgenext_xx_small', network)


def test_tool_exports_a_distiller_student(tmp_path):
    """A distiller config and checkpoint: its student goes to ONNX."""
    import subprocess
    import sys

    from mmengine.config import Config
    cfg = Config.fromfile(STUDENT_KD)
    cfg.model.teacher_ckpt = None
    cfg.model.teacher_ckpt_optional = True
    torch.manual_seed(1)
    distiller = build_model_from_config(cfg)
    ckpt = str(tmp_path / 'kd.pth')
    torch.save({'state_dict': distiller.state_dict(), 'meta': {}}, ckpt)
    tool = osp.join(REPO_ROOT, 'tools', 'deployment', 'export_onnx.py')
    out = subprocess.run(
        [sys.executable, tool, STUDENT_KD, str(tmp_path / 'missing.pth'),
         '--out', str(tmp_path / 'x.onnx')],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and 'missing.pth: no such file' in out.stdout
    onnx_file = str(tmp_path / 's.onnx')
    out = subprocess.run(
        [sys.executable, tool, STUDENT_KD, ckpt, '--out', onnx_file,
         '--check', '--static-batch', '--batch-size', '3', '--benchmark',
         '--steps', '2', '--fuse', '--runs', '2'],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    report = json.loads(out.stdout.strip().split('\n')[-1])
    assert report['input_size'] == 64 and report['max_abs_difference'] < 1e-4
    assert report['batch_size'] == 3 and onnx_batch_size(onnx_file) == 3
    # --fuse: the layer scales of the 12 blocks folded, the one position
    # encoding cached; the scores still the unfused network's (below)
    assert report['fused'] == dict(
        layer_scales=12, position_encodings=1, batch_norms=0)
    assert report['fold_input'] is False
    assert report['references']['ours, not fused']['images_per_s'] > 0
    # two runs: each ratio's spread over them; the last run at the top
    runs = report['over_runs']
    key = 'onnx_references/dynamic batch/paired_onnx_over_reference'
    assert set(runs) >= {'ratio', 'best_ratio', 'paired_ratio', key}
    assert len(runs[key]['values']) == 2
    assert runs['ratio']['values'][-1] == report['ratio']
    assert runs['ratio']['min'] <= runs['ratio']['mean'] <= \
        runs['ratio']['max']
    # the fixed-batch model timed beside a dynamic-batch export
    assert report['onnx_references']['dynamic batch']['images_per_s'] > 0
    # the exported network is the student, with the distiller's
    # (the student's) normalisation
    assert check_onnx(onnx_file, scoring_network(distiller), 64) \
        < 1e-4


def test_beauty_student_of_the_mae_ms_kd_distiller_exports():
    """The FBP student: a plain ViT with the multi-level neck and the
    regression head, taken out of the MAE-MS-KD distiller."""
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'fbp', 'demo',
                                   'mae_ms_kd_demo-faces.py'))
    assert cfg.model.teacher_ckpt is None  # the demo recipe passes it
    cfg.model.teacher_ckpt_optional = True
    torch.manual_seed(2)
    distiller = build_model_from_config(cfg)
    network = scoring_network(distiller)
    assert network.net is distiller.student
    assert type(network.net.backbone).__name__ == 'VisionTransformer'
    assert network.net.neck is not None
    size = find_input_size(cfg, 'test')
    assert size == 64
    with tempfile.TemporaryDirectory() as tmp:
        for fixed in (None, 2):
            onnx_file = export_onnx(network, osp.join(tmp, f'{fixed}.onnx'),
                                    size, batch_size=fixed)
            assert check_onnx(onnx_file, network, size) < 1e-4


def test_folding_the_input_into_the_stem_changes_no_score(student):
    model, network, _, _ = student
    folded = scoring_network(model, fold_input=True)
    x = torch.rand(3, 3, 64, 64) * 255
    with torch.no_grad():
        torch.testing.assert_close(folded(x), network(x), rtol=1e-5,
                                   atol=1e-5)
    assert folded.folded and not network.folded
    # the model's own stem is untouched
    stem = model.backbone.downsample_layers[0][0]
    assert not torch.equal(
        stem.weight, folded.net.backbone.downsample_layers[0][0].weight)
    # a padded first convolution cannot be folded exactly
    resnet = build_model_from_config(osp.join(
        REPO_ROOT, 'configs', 'fbp', 'resnet18-w16_1xb32-20e_demo-faces.py'))
    with pytest.raises(ValueError, match='no padding'):
        scoring_network(resnet, fold_input=True)


def test_speed_runs_are_summarised_ratio_by_ratio():
    runs = [
        dict(ratio=1.6, paired_ratio=1.5, pytorch_images_per_s=10.0,
             references=dict(timm=dict(images_per_s=9.0,
                                       paired_pytorch_over_reference=1.1))),
        dict(ratio=1.8, paired_ratio=1.7, pytorch_images_per_s=20.0,
             references=dict(timm=dict(images_per_s=30.0,
                                       paired_pytorch_over_reference=0.9))),
        dict(ratio=2.0, paired_ratio=1.6, pytorch_images_per_s=15.0,
             references=dict(timm=dict(images_per_s=20.0,
                                       paired_pytorch_over_reference=1.0))),
    ]
    summary = summarize_speed_runs(runs)
    # ratios only: speeds of one run say nothing across runs
    assert sorted(summary) == [
        'paired_ratio', 'ratio',
        'references/timm/paired_pytorch_over_reference'
    ]
    timm = summary['references/timm/paired_pytorch_over_reference']
    assert timm['values'] == [1.1, 0.9, 1.0]
    assert timm['mean'] == pytest.approx(1.0)
    assert timm['std'] == pytest.approx(0.1)
    assert (timm['min'], timm['max']) == (0.9, 1.1)
    assert summary['ratio']['std'] == pytest.approx(0.2)
    assert summarize_speed_runs(runs[:1])['ratio']['std'] == 0.0
    with pytest.raises(ValueError, match='at least one report'):
        summarize_speed_runs([])
    with pytest.raises(ValueError, match='do not have the same ratios'):
        summarize_speed_runs([runs[0], dict(ratio=1.0)])
