"""The Efficient-FIQA configs follow the published recipe for real data:
ImageNet weights from MMPretrain's zoo, short-side resize + crop, a 128-wide
MLP head, the student's budget; the demo configs download nothing."""
import copy
import os.path as osp

import mmpretrain
import numpy as np
import pytest
import torch
import yaml
from mmcv.transforms import Compose
from mmengine.runner.checkpoint import CheckpointLoader
from mmpretrain.registry import MODELS

from fbp_mm.utils.complexity import complexity_summary
from fbp_mm.utils.config_loading import load_config

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
FIQA = osp.join(REPO_ROOT, 'configs', 'fiqa')
TEACHER = osp.join(FIQA, 'swin-base_1xb32-30e_fiqa-448px_teacher.py')
TEACHER_PLUS = osp.join(FIQA, 'swin-base_1xb32-30e_fiqa-448px_teacher-plus.py')
STUDENT = osp.join(FIQA, 'edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py')
# config -> (input size, MMPretrain model-zoo name of its ImageNet weights,
# feature channels of the backbone)
FULL = {
    TEACHER: (448, 'swin-base_in21k-pre-3rdparty_in1k', 1024),
    TEACHER_PLUS: (448, 'swin-base_in21k-pre-3rdparty_in1k', 1024),
    STUDENT: (352, 'edgenext-xxsmall_3rdparty_in1k', 168),
}
DEMO = [
    osp.join(FIQA, 'demo', name) for name in (
        'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher.py',
        'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher-plus.py',
        'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student.py',
    )
]
MIM_CONFIGS = osp.join(osp.dirname(mmpretrain.__file__), '.mim', 'configs')
METAFILES = [
    osp.join(MIM_CONFIGS, 'swin_transformer', 'metafile.yml'),
    osp.join(MIM_CONFIGS, 'edgenext', 'metafile.yml'),
]


def ids(paths):
    return [osp.relpath(p, FIQA) for p in paths]


def model_zoo():
    """Name -> model entry of the installed MMPretrain metafiles."""
    zoo = {}
    for path in METAFILES:
        with open(path) as f:
            for entry in yaml.safe_load(f)['Models']:
                zoo[entry['Name']] = entry
    return zoo


def strings(node):
    """Every string anywhere in a nested config dict / list."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


def build_offline(cfg):
    """Build a config's model with its Pretrained init_cfg removed."""
    model_cfg = copy.deepcopy(cfg.model.to_dict())
    model_cfg['backbone']['init_cfg'] = None
    model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor.to_dict())
    return MODELS.build(model_cfg)


@pytest.fixture(autouse=True)
def no_download(monkeypatch):
    """Fail any checkpoint download instead of reaching the network."""

    def refuse(*args, **kwargs):
        raise AssertionError(f'tried to download {args} {kwargs}')

    for scheme in ('http://', 'https://'):
        monkeypatch.setitem(CheckpointLoader._schemes, scheme, refuse)
    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', refuse)


@pytest.mark.parametrize('path', list(FULL), ids=ids(FULL))
def test_full_config_starts_from_mmpretrain_imagenet_weights(path):
    cfg = load_config(path)
    _, zoo_name, _ = FULL[path]
    init = cfg.model.backbone.init_cfg
    assert init.type == 'Pretrained'
    assert init.prefix == 'backbone.'
    zoo = model_zoo()
    assert init.checkpoint == zoo[zoo_name]['Weights']
    assert init.checkpoint.startswith('https://download.openmmlab.com/')


@pytest.mark.parametrize('path', [TEACHER, STUDENT], ids=ids([TEACHER,
                                                               STUDENT]))
def test_imagenet_weights_cover_every_backbone_parameter(path):
    """Our backbone has the keys and shapes of the zoo model's backbone, so
    the Pretrained checkpoint loads completely (at our input size)."""
    cfg = load_config(path)
    _, zoo_name, _ = FULL[path]
    zoo_cfg = load_config(
        osp.join(MIM_CONFIGS,
                 model_zoo()[zoo_name]['Config'].split('configs/', 1)[1]))
    zoo_backbone = zoo_cfg.model.backbone.to_dict()
    zoo_backbone['init_cfg'] = None
    ours = build_offline(cfg).backbone.state_dict()
    theirs = MODELS.build(zoo_backbone).state_dict()
    assert {k: v.shape for k, v in ours.items()} == \
        {k: v.shape for k, v in theirs.items()}


@pytest.mark.parametrize('path', list(FULL), ids=ids(FULL))
def test_pipelines_resize_short_side_then_crop(path):
    cfg = load_config(path)
    size = FULL[path][0]
    resize = dict(
        type='ResizeEdge', scale=size, edge='short', backend='pillow')
    train = cfg.train_dataloader.dataset.pipeline
    assert [t.type for t in train] == [
        'LoadImageFromFile', 'ResizeEdge', 'RandomCrop', 'PackInputs'
    ]
    assert train[1] == resize
    assert train[2] == dict(type='RandomCrop', crop_size=size)
    for loader in (cfg.val_dataloader, cfg.test_dataloader):
        test = loader.dataset.pipeline
        assert [t.type for t in test] == [
            'LoadImageFromFile', 'ResizeEdge', 'CenterCrop', 'PackInputs'
        ]
        assert test[1] == resize
        assert test[2] == dict(type='CenterCrop', crop_size=size)
    # no flip and no fixed (w, h) resize that would squash the aspect ratio
    assert not [t for t in train if t.type in ('RandomFlip', 'Resize')]
    assert cfg.test_pipeline == cfg.test_dataloader.dataset.pipeline


@pytest.mark.parametrize('path', [TEACHER, STUDENT], ids=ids([TEACHER,
                                                               STUDENT]))
def test_pipelines_crop_without_squashing(path):
    cfg = load_config(path)
    size = FULL[path][0]
    train = Compose(cfg.train_dataloader.dataset.pipeline[1:-1])
    test = Compose(cfg.test_dataloader.dataset.pipeline[1:-1])
    rng = np.random.default_rng(0)
    # short side already at the input size: nothing is resized, the crops
    # are windows of the image itself
    img = rng.integers(0, 256, (size, 2 * size, 3), dtype=np.uint8)
    centre = test(dict(img=img.copy()))['img']
    np.testing.assert_array_equal(centre,
                                  img[:, size // 2:size // 2 + size])
    crop = train(dict(img=img.copy()))['img']
    offsets = [
        x for x in range(size + 1)
        if np.array_equal(crop, img[:, x:x + size])
    ]
    assert len(offsets) == 1
    # a smaller, tall image: short side up to the input size, then square
    tall = rng.integers(0, 256, (size, size // 2, 3), dtype=np.uint8)
    assert train(dict(img=tall))['img'].shape == (size, size, 3)
    assert test(dict(img=tall))['img'].shape == (size, size, 3)


@pytest.mark.parametrize('path', list(FULL), ids=ids(FULL))
def test_head_is_a_128_wide_mlp_with_mse_and_plcc(path):
    cfg = load_config(path)
    head = cfg.model.head
    assert head.type == 'RegressionHead'
    assert head.in_channels == FULL[path][2]
    assert tuple(head.hidden_channels) == (128, )
    assert [loss.type for loss in head.loss] == ['MSELoss', 'PLCCLoss']
    assert [loss.loss_weight for loss in head.loss] == [1.0, 1.0]


def test_teacher_plus_is_the_teacher_model():
    assert load_config(TEACHER_PLUS).model == \
        load_config(TEACHER).model


@pytest.mark.parametrize('path', [TEACHER, STUDENT], ids=ids([TEACHER,
                                                               STUDENT]))
def test_model_builds_offline_and_gives_one_score(path):
    cfg = load_config(path)
    size, _, channels = FULL[path]
    model = build_offline(cfg)
    model.init_weights()
    linears = [m for m in model.head.layers if isinstance(m, torch.nn.Linear)]
    assert [(m.in_features, m.out_features)
            for m in linears] == [(channels, 128), (128, 1)]
    # Two linear layers and nothing between them, as the official head.
    assert list(model.head.layers) == linears
    model.eval()
    with torch.no_grad():
        out = model(torch.rand(1, 3, size, size), mode='tensor')
    assert out.shape == (1, 1)
    assert torch.isfinite(out).all()


def test_student_within_challenge_budget_with_mlp_head():
    model = build_offline(load_config(STUDENT))
    summary = complexity_summary(model, (352, 352))
    # EdgeNeXt-XXS alone is 1.158 M; the 168-128-1 head adds 21.8 k.
    assert 1.17 < summary['params_m'] <= 5
    assert 0.1 < summary['gflops'] <= 0.5


@pytest.mark.parametrize('path', DEMO, ids=ids(DEMO))
def test_demo_config_downloads_nothing(path):
    cfg = load_config(path)
    found = [s for s in strings(cfg.to_dict()) if '://' in s]
    assert found == []
    assert 'Pretrained' not in list(strings(cfg.model.to_dict()))
    # and it trains from its own init: building and initialising it reads
    # no checkpoint (no_download would fail otherwise)
    model = MODELS.build(cfg.model.to_dict())
    model.init_weights()


KD_UNLABELED = {
    osp.join(FIQA, 'edgenext-xxsmall_1xb32-30e_fiqa-352px_student-kd-'
             'unlabeled.py'): 352,
    osp.join(FIQA, 'demo', 'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_'
             'student-kd-unlabeled.py'): 64,
}


@pytest.mark.parametrize('path', list(KD_UNLABELED), ids=ids(KD_UNLABELED))
def test_online_kd_student_distils_scores_and_features_on_unlabeled(path):
    from mmpretrain.structures import DataSample
    cfg = load_config(path)
    datasets = cfg.train_dataloader.dataset.datasets
    assert [d.type for d in datasets] == [
        'ScoreListDataset', 'UnlabeledFaceDataset', 'UnlabeledFaceDataset']
    assert [d.get('ann_file') for d in datasets[1:]] == [
        'unlabeled_1.txt', 'unlabeled_2.txt']
    assert datasets[1].pipeline[1].type == 'RandomFaceDegradation'
    model_cfg = copy.deepcopy(cfg.model.to_dict())
    model_cfg['student']['backbone']['init_cfg'] = None
    model_cfg['teacher_ckpt_optional'] = True  # random teacher weights
    model = MODELS.build(model_cfg)
    size = KD_UNLABELED[path]
    torch.manual_seed(0)
    batch = torch.rand(2, 3, size, size) * 255
    samples = [DataSample().set_gt_score(torch.tensor([0.5])), DataSample()]
    data = model.data_preprocessor(
        dict(inputs=list(batch), data_samples=samples), True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_mse', 'loss_plcc', 'loss_kd_mse',
                           'loss_kd_plcc', 'loss_kd_feature',
                           'loss_kd_relation'}
    assert all(torch.isfinite(v) for v in losses.values())
    # the student is the deployed EdgeNeXt-XXS, the teacher stays frozen
    assert model.student.backbone.__class__.__name__ == 'EdgeNeXt'
    assert not any(p.requires_grad for p in model.teacher.parameters())
