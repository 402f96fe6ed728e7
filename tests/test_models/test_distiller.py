import copy
import importlib.util
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from fbp_mm.models.distillers import (ModuleOutputRecorder,
                                      TeacherStudentDistiller,
                                      select_teacher_state_dict)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def classifier_cfg(width, score_range=None):
    """Tiny ResNet-18 regressor: stages of width, 2x, 4x, 8x channels."""
    return dict(
        type='ImageClassifier',
        backbone=dict(
            type='ResNet', depth=18, base_channels=width,
            stem_channels=width),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(
            type='RegressionHead', in_channels=8 * width,
            score_range=score_range))


STUDENT = classifier_cfg(8)  # layer2: 16 channels, pooled: 64
TEACHER = classifier_cfg(16, score_range=(1.0, 5.0))  # layer2: 32
# LayerNorm only, so eval-mode outputs follow training at once.
VIT_STUDENT = dict(
    type='ImageClassifier',
    backbone=dict(
        type='VisionTransformer',
        arch=dict(
            embed_dims=32, num_layers=2, num_heads=2,
            feedforward_channels=64),
        img_size=32,
        patch_size=8),
    head=dict(type='RegressionHead', in_channels=32))

RESPONSE_KD = dict(
    student_recorders=dict(scores=dict(module='head')),
    teacher_recorders=dict(scores=dict(module='head')),
    distill_losses=dict(loss_kd_score=dict(type='MSELoss')),
    loss_forward_mappings=dict(
        loss_kd_score=dict(
            pred=dict(from_student=True, recorder='scores'),
            target=dict(from_student=False, recorder='scores'))))


def build(**kwargs):
    cfg = dict(
        type='TeacherStudentDistiller',
        student=copy.deepcopy(STUDENT),
        teacher=copy.deepcopy(TEACHER))
    cfg.update(copy.deepcopy(RESPONSE_KD))
    cfg.update(kwargs)
    return MODELS.build(cfg)


def batch(n=8, seed=0):
    gen = torch.Generator().manual_seed(seed)
    inputs = torch.rand(n, 3, 32, 32, generator=gen) * 255
    scores = 1 + 4 * torch.rand(n, generator=gen)
    samples = [DataSample().set_gt_score([float(s)]) for s in scores]
    return dict(inputs=inputs, data_samples=samples)


def predictions(model, data):
    model.eval()
    out = model.val_step(copy.deepcopy(data))
    return torch.stack([s.pred_score for s in out])


def teacher_predictions(model, data):
    processed = model.data_preprocessor(copy.deepcopy(data))
    with torch.no_grad():
        return model.teacher(processed['inputs'], mode='tensor')


def test_recorder_keeps_outputs_only_while_recording():
    torch.manual_seed(0)
    net = MODELS.build(STUDENT)
    recorder = ModuleOutputRecorder(
        dict(stage=dict(module='backbone', index=-1), scores='head'))
    recorder.attach(net)
    x = torch.rand(2, 3, 32, 32)
    net(x, mode='tensor')
    assert 'scores' not in recorder
    with recorder.recording():
        out = net(x, mode='tensor')
    assert torch.equal(recorder.get('scores'), out)
    assert recorder.get('stage').shape == (2, 64, 1, 1)
    recorder.clear()
    with pytest.raises(KeyError, match='did not run'):
        recorder.get('scores')
    recorder.detach()
    with recorder.recording():
        net(x, mode='tensor')
    assert 'scores' not in recorder


def test_missing_recorder_module_names_close_candidates():
    with pytest.raises(KeyError) as err:
        build(student_recorders=dict(scores=dict(module='backbone.layr2')))
    message = str(err.value)
    assert "'backbone.layr2'" in message and 'backbone.layer2' in message
    with pytest.raises(KeyError, match='teacher record'):
        build(teacher_recorders=dict(other='head'))


def test_mapping_must_fit_the_loss_signature():
    with pytest.raises(TypeError, match='MSELoss'):
        build(
            loss_forward_mappings=dict(
                loss_kd_score=dict(
                    student=dict(from_student=True, recorder='scores'),
                    teacher=dict(from_student=False, recorder='scores'))))
    with pytest.raises(ValueError, match='same keys'):
        build(distill_losses=dict(other=dict(type='MSELoss')))


def test_teacher_stays_frozen_and_in_eval_mode():
    torch.manual_seed(0)
    model = build()
    assert isinstance(model, TeacherStudentDistiller)
    model.train()
    assert model.student.training
    assert not any(m.training for m in model.teacher.modules())
    assert not any(p.requires_grad for p in model.teacher.parameters())
    teacher_before = copy.deepcopy(model.teacher.state_dict())
    student_before = copy.deepcopy(model.student.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    data = batch()
    for _ in range(3):
        log_vars = model.train_step(copy.deepcopy(data), optim)
    assert set(log_vars) == {'loss', 'loss_mse', 'loss_kd_score'}
    assert not model.student_recorder._outputs
    assert not model.teacher_recorder._outputs
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key
    assert not torch.equal(model.student.state_dict()['head.layers.0.weight'],
                           student_before['head.layers.0.weight'])
    assert not any(p.requires_grad for p in model.teacher.parameters())
    assert not model.teacher.training


def test_response_kd_pulls_student_to_teacher():
    torch.manual_seed(0)
    model = build(
        student=copy.deepcopy(VIT_STUDENT),
        student_task_loss=False,
        data_preprocessor=dict(
            type='ClsDataPreprocessor', mean=[127.5] * 3, std=[64.0] * 3))
    data = batch(seed=1)
    target = teacher_predictions(model, data)
    gap_before = (predictions(model, data) - target).abs().mean()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=3e-3))
    for _ in range(30):
        model.train()
        log_vars = model.train_step(copy.deepcopy(data), optim)
        assert set(log_vars) == {'loss', 'loss_kd_score'}
    gap_after = (predictions(model, data) - target).abs().mean()
    assert gap_before > 1.0
    assert gap_after < 0.1 * gap_before


def test_connector_matches_feature_widths():
    torch.manual_seed(0)
    model = build(
        student_recorders=dict(feat=dict(module='backbone.layer2')),
        teacher_recorders=dict(feat=dict(module='backbone.layer2')),
        connectors=dict(
            proj=dict(type='ConvConnector', in_channels=16, out_channels=32,
                      norm_cfg=dict(type='BN'))),
        distill_losses=dict(
            feat=dict(type='FeatureMSEKD', normalize='channel')),
        loss_forward_mappings=dict(
            feat=dict(
                student=dict(
                    from_student=True, recorder='feat', connector='proj'),
                teacher=dict(from_student=False, recorder='feat'))))
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.05))
    data = batch()
    proj_before = model.connectors['proj'].conv.weight.detach().clone()
    log_vars = model.train_step(copy.deepcopy(data), optim)
    assert set(log_vars) == {'loss', 'loss_mse', 'loss_kd_feat'}
    assert log_vars['loss_kd_feat'] > 0
    assert not torch.equal(model.connectors['proj'].conv.weight,
                           proj_before)

    # Without the connector the widths (16 vs 32) do not match.
    bad = build(
        student_recorders=dict(feat='backbone.layer2'),
        teacher_recorders=dict(feat='backbone.layer2'),
        distill_losses=dict(feat=dict(type='FeatureMSEKD')),
        loss_forward_mappings=dict(
            feat=dict(
                student=dict(from_student=True, recorder='feat'),
                teacher=dict(from_student=False, recorder='feat'))))
    with pytest.raises(ValueError, match='connector'):
        bad.train_step(copy.deepcopy(data), optim)
    assert not bad.student_recorder._outputs


def test_relational_kd_and_bf16_teacher():
    torch.manual_seed(0)
    model = build(
        student_recorders=dict(feat=dict(module='neck', index=-1)),
        teacher_recorders=dict(feat=dict(module='neck', index=-1)),
        distill_losses=dict(
            rkd_d=dict(type='RelationalDistanceKD', loss_weight=25.0),
            rkd_a=dict(type='RelationalAngleKD', loss_weight=50.0)),
        loss_forward_mappings=dict(
            rkd_d=dict(
                student=dict(from_student=True, recorder='feat'),
                teacher=dict(from_student=False, recorder='feat')),
            rkd_a=dict(
                student=dict(from_student=True, recorder='feat'),
                teacher=dict(from_student=False, recorder='feat'))),
        teacher_bf16=True,
        task_loss_weight=0.0)
    processed = model.data_preprocessor(batch(), True)
    losses = model(**processed, mode='loss')
    assert set(losses) == {'loss_mse', 'loss_kd_rkd_d', 'loss_kd_rkd_a'}
    assert losses['loss_mse'].item() == 0
    for key in ('loss_kd_rkd_d', 'loss_kd_rkd_a'):
        assert losses[key].dtype == torch.float32
        assert torch.isfinite(losses[key]) and losses[key] > 0


def test_predict_and_tensor_use_the_student_only():
    torch.manual_seed(0)
    model = build().eval()
    x = torch.rand(2, 3, 32, 32)
    assert torch.equal(model(x, mode='tensor'), model.student(x))
    preds = model(x, mode='predict')
    assert len(preds) == 2 and preds[0].pred_score.shape == (1, )
    assert model.head is model.student.head and model.with_neck
    feats = model.extract_feat(x)
    assert feats[-1].shape == (2, 64)


def test_layer_depth_is_delegated_to_a_vit_student():
    model = build(student=copy.deepcopy(VIT_STUDENT))
    assert model.get_layer_depth('student.backbone.layers.1.ln1.weight') \
        == (2, 4)
    assert model.get_layer_depth('student.head.layers.0.weight') == (3, 4)
    from mmpretrain.engine.optimizers import \
        LearningRateDecayOptimWrapperConstructor
    constructor = LearningRateDecayOptimWrapperConstructor(
        dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05)),
        dict(layer_decay_rate=0.5))
    optim = constructor(model)
    names = [g['param_name'] for g in optim.optimizer.param_groups]
    assert names and all(n.startswith('student.') for n in names)


def test_cfg_path_from_file_and_from_mmpretrain(tmp_path):
    cfg_file = tmp_path / 'student.py'
    cfg_file.write_text(
        f'model = {STUDENT!r}\n'
        'data_preprocessor = dict(mean=[1.0, 2.0, 3.0], std=[2.0, 2.0, '
        '2.0])\n')
    model = build(
        student=dict(cfg_path=str(cfg_file), head=dict(score_range=(1, 5))),
        teacher=dict(
            cfg_path='mmpretrain::resnet/resnet18_8xb32_in1k.py',
            backbone=dict(base_channels=8, stem_channels=8),
            data_preprocessor=dict(num_classes=None),
            head=dict(_delete_=True, type='RegressionHead', in_channels=64)))
    assert model.student.head.score_range == (1, 5)
    assert model.student.head.in_channels == 64
    assert model.teacher.backbone.base_channels == 8
    assert type(model.teacher.head).__name__ == 'RegressionHead'
    # The distiller normalises inputs as the student's config does.
    assert model.data_preprocessor.mean.flatten().tolist() == [1, 2, 3]
    log_vars = model.train_step(
        batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))
    assert torch.isfinite(log_vars['loss'])
    with pytest.raises(FileNotFoundError):
        build(student=dict(cfg_path=str(tmp_path / 'missing.py')))


def randomised_classifier(cfg, seed):
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    with torch.no_grad():
        for param in model.parameters():
            param.add_(torch.randn_like(param))
    return model


def test_teacher_ckpt_from_classifier_and_distiller(tmp_path):
    teacher = randomised_classifier(TEACHER, seed=5)
    saved = {k: v.clone() for k, v in teacher.state_dict().items()}
    ckpt = str(tmp_path / 'teacher.pth')
    torch.save({'state_dict': teacher.state_dict(), 'meta': {}}, ckpt)

    model = build(teacher_ckpt=ckpt)
    model.init_weights()  # must not overwrite the loaded teacher
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key

    distiller_ckpt = str(tmp_path / 'distiller.pth')
    torch.save({'state_dict': model.state_dict()}, distiller_ckpt)
    again = build(teacher_ckpt=distiller_ckpt)
    for key, value in again.teacher.state_dict().items():
        assert torch.equal(value, saved[key]), key

    weights, prefix = select_teacher_state_dict(
        {'module.student.a': 1, 'module.teacher.a': 2})
    assert (dict(weights), prefix) == ({'a': 2}, 'teacher.')
    with pytest.raises(RuntimeError, match='size mismatch|Missing'):
        build(teacher=copy.deepcopy(STUDENT), teacher_ckpt=ckpt)


def test_extract_student_tool(tmp_path):
    torch.manual_seed(0)
    model = build()
    model.train_step(
        batch(), OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))
    model.eval()
    in_ckpt = str(tmp_path / 'distiller.pth')
    out_ckpt = str(tmp_path / 'out' / 'student.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, in_ckpt)
    tool = osp.join(REPO_ROOT, 'tools', 'extract_student.py')
    subprocess.run([sys.executable, tool, in_ckpt, out_ckpt], check=True,
                   capture_output=True)

    data = batch(n=4, seed=3)
    expected = predictions(model, data)
    plain = randomised_classifier(STUDENT, seed=9)
    ckpt = load_checkpoint(plain, out_ckpt, map_location='cpu', strict=True)
    assert ckpt['meta']['extracted_from'] == in_ckpt
    assert not any(k.startswith(('student.', 'teacher.'))
                   for k in ckpt['state_dict'])
    assert torch.equal(predictions(plain, data), expected)

    # A checkpoint without student weights is refused (in-process: a second
    # interpreter start would cost seconds).
    spec = importlib.util.spec_from_file_location('extract_student', tool)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    torch.save({'state_dict': plain.state_dict()}, in_ckpt)
    with pytest.raises(KeyError, match='no .student.. weights'):
        module.extract_student(in_ckpt, str(tmp_path / 'never.pth'))
    assert not osp.exists(tmp_path / 'never.pth')
