import copy
import logging

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import MMLogger
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from fbp_mm.models.distillers import (ModuleOutputRecorder,
                                      NoTeacherCheckpointError,
                                      TeacherCheckpointError,
                                      TeacherCheckpointNotFoundError,
                                      TeacherStudentDistiller,
                                      select_prefixed_state_dict,
                                      select_teacher_state_dict)


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
    """A distiller of random tiny networks (no teacher checkpoint needed)."""
    cfg = dict(
        type='TeacherStudentDistiller',
        student=copy.deepcopy(STUDENT),
        teacher=copy.deepcopy(TEACHER),
        teacher_ckpt_optional=True)
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
        return model.teacher(
            model.teacher_inputs(processed['inputs']), mode='tensor')


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


def test_missing_teacher_checkpoint_names_path_and_hint(tmp_path):
    missing = str(tmp_path / 'teacher' / 'best.pth')
    hint = 'Run stage `teacher_finetune` of recipes/kd.py to make it.'
    with pytest.raises(FileNotFoundError) as err:
        build(teacher_ckpt=missing, teacher_ckpt_hint=hint)
    assert isinstance(err.value, TeacherCheckpointNotFoundError)
    assert isinstance(err.value, TeacherCheckpointError)
    message = str(err.value)
    assert missing in message and message.endswith(hint)
    assert 'model.teacher_ckpt=PATH' in message
    # A relative path also says where it was looked for.
    with pytest.raises(FileNotFoundError, match='looked for /'):
        build(teacher_ckpt='no/such/teacher.pth')


def test_no_teacher_checkpoint_is_refused_unless_optional():
    hint = 'The teacher comes from stage `teacher_finetune`.'
    with pytest.raises(NoTeacherCheckpointError) as err:
        build(teacher_ckpt_optional=False, teacher_ckpt_hint=hint)
    message = str(err.value)
    assert isinstance(err.value, (ValueError, TeacherCheckpointError))
    assert 'model.teacher_ckpt is not set' in message
    assert 'teacher_ckpt_optional=True' in message
    assert message.endswith(hint)

    logger = MMLogger.get_current_instance()
    records = []

    class Keep(logging.Handler):

        def emit(self, record):
            records.append(record)

    handler = Keep(level=logging.WARNING)
    logger.addHandler(handler)
    try:
        build(teacher_ckpt_optional=True)
    finally:
        logger.removeHandler(handler)
    assert any('teacher_ckpt_optional=True' in r.getMessage()
               for r in records)


def test_prefix_selection_is_shared():
    state = {'module.student.a': 1, 'student.b': 2, 'teacher.a': 3}
    assert dict(select_prefixed_state_dict(state, 'student.')) == {
        'a': 1, 'b': 2}
    assert dict(select_prefixed_state_dict(state, 'teacher.')) == {'a': 3}
    assert dict(select_teacher_state_dict(state, 'student.')[0]) == {
        'a': 1, 'b': 2}


class KeepTeacherScores(nn.Module):
    """A 'loss' that keeps the teacher tensor it receives."""

    def forward(self, pred, target):
        self.target = target.detach().clone()
        return (pred * 0).sum()


# The teacher's own normalisation differs from the student's in mean, std
# and channel order.
STUDENT_PREPROCESSOR = dict(
    type='ClsDataPreprocessor', mean=[100.0, 120.0, 140.0],
    std=[50.0, 60.0, 70.0], to_rgb=False)
TEACHER_PREPROCESSOR = dict(
    type='ClsDataPreprocessor', mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375], to_rgb=True)


def build_capturing(teacher_cfg, **kwargs):
    torch.manual_seed(0)
    capture = KeepTeacherScores()
    model = build(
        teacher=teacher_cfg,
        data_preprocessor=STUDENT_PREPROCESSOR,
        distill_losses=dict(loss_kd_score=capture),
        **kwargs)
    return model, capture


def raw_images(n=4, size=32, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [
        torch.randint(0, 256, (3, size, size), generator=gen,
                      dtype=torch.uint8) for _ in range(n)
    ]


def standalone_teacher(model, teacher_cfg):
    """The teacher alone, same weights, with its own preprocessor."""
    teacher = MODELS.build(copy.deepcopy(teacher_cfg)).eval()
    teacher.load_state_dict(model.teacher.state_dict())
    return teacher


def distiller_teacher_scores(model, capture, images):
    samples = [DataSample().set_gt_score([3.0]) for _ in images]
    data = model.data_preprocessor(
        dict(inputs=list(images), data_samples=samples), True)
    model(**data, mode='loss')
    return capture.target


def test_teacher_sees_the_images_through_its_own_preprocessor():
    teacher_cfg = dict(TEACHER, data_preprocessor=TEACHER_PREPROCESSOR)
    model, capture = build_capturing(teacher_cfg)
    teacher = standalone_teacher(model, teacher_cfg)
    images = raw_images()
    got = distiller_teacher_scores(model, capture, images)
    alone = teacher.data_preprocessor({'inputs': images})
    with torch.no_grad():
        expected = teacher(alone['inputs'], mode='tensor')
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)
    # What the old code did (the teacher on the student's batch) differs.
    student_batch = model.data_preprocessor({'inputs': images})['inputs']
    with torch.no_grad():
        shared = teacher(student_batch, mode='tensor')
    assert (shared - expected).abs().max() > 1e-2


def test_teacher_input_size_resizes_on_the_device():
    teacher_cfg = dict(TEACHER, data_preprocessor=TEACHER_PREPROCESSOR)
    model, capture = build_capturing(
        teacher_cfg, teacher_input_size=(48, 40))
    seen = {}
    model.teacher.backbone.register_forward_pre_hook(
        lambda module, args: seen.update(shape=tuple(args[0].shape)))
    images = raw_images(size=32, seed=1)
    got = distiller_teacher_scores(model, capture, images)
    assert seen['shape'] == (4, 3, 48, 40)

    teacher = standalone_teacher(model, teacher_cfg)
    resized = [
        F.interpolate(img[None].float(), size=(48, 40), mode='bilinear',
                      align_corners=False, antialias=False)[0]
        for img in images
    ]
    alone = teacher.data_preprocessor({'inputs': resized})
    with torch.no_grad():
        expected = teacher(alone['inputs'], mode='tensor')
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match='teacher_input_size'):
        build(teacher_input_size=(0, 32))


def test_same_normalisation_passes_the_student_batch_unchanged():
    model = build(
        data_preprocessor=TEACHER_PREPROCESSOR,
        teacher=dict(TEACHER, data_preprocessor=TEACHER_PREPROCESSOR))
    x = torch.randn(2, 3, 32, 32)
    assert model.teacher_inputs(x) is x


def test_teacher_sees_the_students_mixed_batch():
    torch.manual_seed(0)
    model = build(
        teacher=dict(TEACHER, data_preprocessor=TEACHER_PREPROCESSOR),
        data_preprocessor=dict(
            STUDENT_PREPROCESSOR,
            batch_augments=dict(augments=[dict(type='Mixup', alpha=1.0)])))
    seen = {}
    for name in ('student', 'teacher'):
        getattr(model, name).backbone.register_forward_pre_hook(
            lambda module, args, name=name: seen.update({name: args[0]}))
    images = raw_images(n=6, seed=2)
    samples = [DataSample().set_gt_score([float(i)]) for i in range(6)]
    data = model.data_preprocessor(
        dict(inputs=images, data_samples=samples), True)
    model(**data, mode='loss')

    def raw(x, cfg):
        mean = torch.tensor(cfg['mean']).view(1, 3, 1, 1)
        std = torch.tensor(cfg['std']).view(1, 3, 1, 1)
        x = x * std + mean
        return x.flip(1) if cfg['to_rgb'] else x

    student_raw = raw(seen['student'], STUDENT_PREPROCESSOR)
    teacher_raw = raw(seen['teacher'], TEACHER_PREPROCESSOR)
    torch.testing.assert_close(teacher_raw, student_raw, atol=1e-3, rtol=0)
    # The batch was mixed (not the plain images), once, for both.
    assert (student_raw - torch.stack(images).float()).abs().max() > 1


def test_unlabeled_samples_are_distilled_but_not_supervised():
    torch.manual_seed(0)
    model = build(student=copy.deepcopy(VIT_STUDENT))
    model.train()
    data = batch(n=6, seed=2)
    mixed = copy.deepcopy(data)
    for i in (1, 3, 4):  # three images without a target
        mixed['data_samples'][i] = DataSample()
    processed = model.data_preprocessor(copy.deepcopy(mixed), True)
    losses = model.loss(processed['inputs'], processed['data_samples'])

    # The task loss is the student head's loss on the labeled three alone.
    labeled = [0, 2, 5]
    feats = model.student.extract_feat(processed['inputs'][labeled])
    expected = model.student.head.loss(
        feats, [processed['data_samples'][i] for i in labeled])
    assert set(losses) == {'loss_mse', 'loss_kd_score'}
    torch.testing.assert_close(losses['loss_mse'], expected['loss_mse'])
    # KD covers all six images: the same as with every sample labeled.
    full = model.loss(processed['inputs'],
                      model.data_preprocessor(copy.deepcopy(data),
                                              True)['data_samples'])
    torch.testing.assert_close(losses['loss_kd_score'],
                               full['loss_kd_score'])
    assert not torch.allclose(losses['loss_mse'], full['loss_mse'])
    # A batch with no labeled image at all is distilled only.
    none = [DataSample() for _ in range(6)]
    assert set(model.loss(processed['inputs'], none)) == {'loss_kd_score'}


def test_mixed_batch_goes_through_the_default_preprocessor():
    torch.manual_seed(0)
    model = build(student=copy.deepcopy(VIT_STUDENT))
    data = batch(n=4, seed=3)
    kept = [float(s.gt_score) for s in data['data_samples']]
    data['data_samples'][1] = DataSample()
    processed = model.data_preprocessor(copy.deepcopy(data), True)
    samples = processed['data_samples']
    assert 'gt_score' not in samples[1]
    assert [float(samples[i].gt_score) for i in (0, 2, 3)] == \
        [kept[i] for i in (0, 2, 3)]
    log_vars = model.train_step(
        data, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.0)))
    assert set(log_vars) == {'loss', 'loss_mse', 'loss_kd_score'}
    # As MMPretrain's own preprocessor for a fully labeled batch.
    full = batch(n=4, seed=3)
    ours = model.data_preprocessor(copy.deepcopy(full), True)
    plain = MODELS.build(dict(type='ClsDataPreprocessor'))(
        copy.deepcopy(full), True)
    torch.testing.assert_close(ours['inputs'], plain['inputs'])
    with pytest.raises(ValueError, match='need a target for every image'):
        MODELS.build(dict(
            type='PartlyLabeledDataPreprocessor',
            batch_augments=dict(augments=dict(type='Mixup', alpha=1.0))))(
                copy.deepcopy(data), True)


def test_cls_preprocessor_config_is_built_partly_labeled():
    from fbp_mm.models import PartlyLabeledDataPreprocessor
    model = build(data_preprocessor=dict(mean=[1.0] * 3, std=[2.0] * 3))
    assert type(model.data_preprocessor) is PartlyLabeledDataPreprocessor
    model = build(data_preprocessor=dict(type='ClsDataPreprocessor'))
    assert type(model.data_preprocessor) is PartlyLabeledDataPreprocessor


def test_gradient_accumulation_through_the_optim_wrapper():
    """MMEngine's accumulative_counts: two half batches give the update
    of one whole batch (mean losses, LayerNorm student, frozen teacher)."""

    def sgd(model, counts):
        wrapper = OptimWrapper(
            torch.optim.SGD(model.parameters(), lr=0.5),
            accumulative_counts=counts)
        wrapper.initialize_count_status(model, 0, counts)
        return wrapper

    def half(data, part):
        rows = slice(0, 4) if part == 0 else slice(4, 8)
        return dict(inputs=data['inputs'][rows],
                    data_samples=data['data_samples'][rows])

    torch.manual_seed(0)
    whole = build(student=copy.deepcopy(VIT_STUDENT), student_task_loss=True)
    split = copy.deepcopy(whole)
    start = copy.deepcopy(whole.student.state_dict())
    data = batch(8)
    whole.train()
    whole.train_step(copy.deepcopy(data), sgd(whole, 1))
    split.train()
    wrapper = sgd(split, 2)
    split.train_step(half(data, 0), wrapper)
    # the first half only accumulates: no step yet
    for name, value in split.student.state_dict().items():
        assert torch.equal(value, start[name]), name
    split.train_step(half(data, 1), wrapper)
    moved = 0
    for name, value in whole.student.state_dict().items():
        torch.testing.assert_close(split.student.state_dict()[name], value,
                                   rtol=1e-4, atol=1e-6)
        moved += not torch.equal(value, start[name])
    assert moved > 10  # the step changed the student
    for name, value in whole.teacher.state_dict().items():
        assert torch.equal(split.teacher.state_dict()[name], value), name
