"""Teacher-output cache: computed once, read back, invalidated on change."""
import copy
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mmpretrain.structures import DataSample

from fbp_mm.apis import build_model_from_config
from fbp_mm.models.distillers import TeacherOutputCache, sample_key

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = osp.join(REPO_ROOT, 'configs', 'fiqa', 'demo')
# the shipped config that turns the cache on
STUDENT_KD = osp.join(
    DEMO, 'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student-kd_'
    'teacher-cache.py')
TEACHER = osp.join(DEMO,
                   'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher-plus.py')
NUM_IMAGES = 12


@pytest.fixture(scope='module')
def scored_faces(tmp_path_factory):
    """Twelve small images with scores, and two teacher checkpoints."""
    root = tmp_path_factory.mktemp('cache_data')
    (root / 'images').mkdir()
    rng = np.random.default_rng(0)
    rows = ['image_name,score']
    for i in range(NUM_IMAGES):
        img = rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)
        cv2.imwrite(str(root / 'images' / f'{i}.png'), img)
        rows.append(f'{i}.png,{1 + 4 * rng.random():.3f}')
    for name in ('train.csv', 'val.csv'):
        (root / name).write_text('\n'.join(rows) + '\n')
    ckpts = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        teacher = build_model_from_config(TEACHER)
        ckpts.append(str(root / f'teacher{seed}.pth'))
        torch.save({'state_dict': teacher.state_dict(), 'meta': {}},
                   ckpts[-1])
    return str(root), ckpts


def make_cfg(data_root, ckpt, work_dir, epochs=2, flip=False, size=64):
    cfg = Config.fromfile(STUDENT_KD)
    pipeline = [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', scale=(size, size)),
        dict(type='PackInputs'),
    ]
    if flip:
        pipeline.insert(2, dict(type='RandomFlip', prob=0.5,
                                direction='horizontal'))
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.dataset.update(
        data_root=data_root, ann_file='train.csv', pipeline=pipeline)
    for loader in ('val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = data_root
    cfg.model.teacher_ckpt = ckpt
    # one cache folder per test (beside its runs' work folders)
    cfg.model.teacher_cache = dict(
        cache_dir=osp.join(osp.dirname(work_dir), 'cache'))
    assert cfg.custom_hooks == [dict(type='TeacherOutputCacheHook')]
    cfg.train_cfg = dict(by_epoch=True, max_epochs=epochs, val_interval=99)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=99)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=0)
    return cfg


def train_counting_teacher_calls(cfg) -> tuple:
    """Train; the epoch of every teacher forward, and the runner."""
    runner = Runner.from_cfg(cfg)
    calls = []
    runner.model.teacher.register_forward_hook(
        lambda *_: calls.append(runner.epoch))
    runner.train()
    return calls, runner


def test_second_epoch_runs_no_teacher_forward(scored_faces, tmp_path):
    data_root, ckpts = scored_faces
    calls, runner = train_counting_teacher_calls(
        make_cfg(data_root, ckpts[0], str(tmp_path / 'a')))
    # 12 images, batches of 4: three teacher forwards in epoch 0 only
    assert calls == [0, 0, 0]
    cache = runner.model.teacher_cache
    assert len(cache) == NUM_IMAGES
    assert osp.isfile(osp.join(cache.folder, 'rank0.pt'))
    # a new run of the same config reads the cache from disk
    calls, again = train_counting_teacher_calls(
        make_cfg(data_root, ckpts[0], str(tmp_path / 'b'), epochs=1))
    assert calls == [] and again.model.teacher_cache.folder == cache.folder


def test_cached_targets_equal_live_ones(scored_faces, tmp_path):
    data_root, ckpts = scored_faces
    _, runner = train_counting_teacher_calls(
        make_cfg(data_root, ckpts[0], str(tmp_path / 'a'), epochs=1))
    model = runner.model
    batch = model.data_preprocessor(next(iter(runner.train_dataloader)),
                                    training=True)
    keys = [sample_key(s) for s in batch['data_samples']]
    cached = model.teacher_cache.lookup(keys)
    with model.teacher_recorder.recording():
        model._run_teacher(model.teacher_inputs(batch['inputs']))
    assert set(cached) == set(model.teacher_recorder.names)
    for name, value in cached.items():
        live = model.teacher_recorder.get(name)
        assert value.shape == live.shape
        torch.testing.assert_close(value, live.float(), rtol=0, atol=1e-6)
    model.teacher_recorder.clear()
    # the losses of a step from the cache are those of the live teacher
    torch.manual_seed(0)
    from_cache = model.loss(batch['inputs'], batch['data_samples'])
    model.teacher_cache = None
    torch.manual_seed(0)
    live = model.loss(batch['inputs'], batch['data_samples'])
    for key, value in live.items():
        torch.testing.assert_close(from_cache[key], value)


def test_changed_teacher_or_transform_starts_a_new_cache(
        scored_faces, tmp_path):
    data_root, ckpts = scored_faces
    folders = []
    for i, (ckpt, size) in enumerate([(ckpts[0], 64), (ckpts[1], 64),
                                      (ckpts[0], 48), (ckpts[0], 64)]):
        calls, runner = train_counting_teacher_calls(make_cfg(
            data_root, ckpt, str(tmp_path / str(i)), epochs=1, size=size))
        folders.append(runner.model.teacher_cache.folder)
        # a new teacher or transform: the teacher runs again
        assert len(calls) == (0 if i == 3 else 3), i
    assert len(set(folders[:3])) == 3 and folders[3] == folders[0]


def test_flipped_views_are_keyed_apart():
    plain = DataSample(metainfo=dict(img_path='a.png', flip=False,
                                     flip_direction=None))
    flipped = DataSample(metainfo=dict(img_path='a.png', flip=True,
                                       flip_direction='horizontal'))
    assert sample_key(plain) == 'a.png|-'
    assert sample_key(flipped) == 'a.png|horizontal'
    with pytest.raises(KeyError, match='keys samples by img_path'):
        sample_key(DataSample())


def test_store_refuses_what_it_cannot_split(tmp_path):
    cache = TeacherOutputCache(str(tmp_path))
    cache.open('x')
    with pytest.raises(TypeError, match="record 'feat' cannot be cached"):
        cache.store(['a|-', 'b|-'], dict(feat=(torch.ones(2, 3), )))
    cache.store(['a|-', 'b|-'], dict(feat=torch.arange(6.).view(2, 3)))
    assert cache.lookup(['b|-', 'c|-']) is None
    assert cache.lookup(['b|-'])['feat'].tolist() == [[3.0, 4.0, 5.0]]
    assert copy.deepcopy(cache.keys()) == ['a|-', 'b|-']
    closed = TeacherOutputCache(str(tmp_path))
    with pytest.raises(RuntimeError, match='TeacherOutputCacheHook'):
        closed.lookup(['a|-'])
