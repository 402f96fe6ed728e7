# Copyright (c) fbp_mm contributors. All rights reserved.
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.dataset import Compose
from mmpretrain.registry import TRANSFORMS

from fbp_mm.datasets import ScoreListDataset
from fbp_mm.datasets.transforms import RandomFaceDegradation
from fbp_mm.generators.degradations import (DEGRADATIONS, jpeg, mixed,
                                            quality_score)
from fbp_mm.generators.synthetic_faces import draw_face, sample_face_params


@pytest.fixture(scope='module')
def face():
    return draw_face(sample_face_params(np.random.default_rng(3)), 48)


@pytest.mark.parametrize('kind', list(DEGRADATIONS))
def test_fixed_severity_equals_the_generator_function(face, kind):
    # One kind, a fixed severity and prob=1 draw nothing before the
    # function, so the function gets the generator seeded [seed, worker 0].
    transform = RandomFaceDegradation(
        kinds=kind, severity=0.6, prob=1.0, seed=11)
    out = transform(dict(img=face.copy()))
    if kind == 'mixed':
        expected, parts = mixed(face, 0.6, np.random.default_rng([11, 0]),
                                return_strengths=True)
    else:
        expected = DEGRADATIONS[kind](face, 0.6, np.random.default_rng([11,
                                                                         0]))
        parts = {kind: 0.6}
    np.testing.assert_array_equal(out['img'], expected)
    assert not np.array_equal(out['img'], face)
    assert out['degradation'] == dict(
        type=kind, strength=0.6, strengths=parts,
        quality=quality_score(parts))


def test_prob_zero_leaves_the_image_alone(face):
    transform = RandomFaceDegradation(prob=0.0, seed=0)
    for _ in range(5):
        out = transform(dict(img=face.copy()))
        np.testing.assert_array_equal(out['img'], face)
        assert out['degradation'] == dict(
            type='none', strength=0.0, strengths={}, quality=1.0)


def test_random_draws_are_seeded_and_cover_the_choices(face):
    kinds = ('gaussian_blur', 'jpeg', 'gaussian_noise')

    def run(seed):
        transform = RandomFaceDegradation(
            kinds=kinds, severity=(0.2, 0.4), prob=0.5, seed=seed)
        return [transform(dict(img=face.copy())) for _ in range(40)]

    first, again, other = run(1), run(1), run(2)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a['img'], b['img'])
        assert a['degradation'] == b['degradation']
    assert [r['degradation'] for r in first] != [
        r['degradation'] for r in other
    ]
    applied = [r['degradation'] for r in first if r['degradation']['type']
               != 'none']
    assert 10 <= len(applied) <= 30  # prob 0.5 of 40 calls
    assert {d['type'] for d in applied} == set(kinds)
    assert all(0.2 <= d['strength'] <= 0.4 for d in applied)
    # Each applied record describes its image: redo it with the function.
    for result in first:
        record = result['degradation']
        if record['type'] == 'jpeg':
            np.testing.assert_array_equal(
                result['img'], jpeg(face, record['strength']))
        elif record['type'] == 'none':
            np.testing.assert_array_equal(result['img'], face)


def test_builds_from_config_and_checks_arguments(face):
    transform = TRANSFORMS.build(
        dict(
            type='RandomFaceDegradation',
            kinds=('gaussian_blur', 'gaussian_noise', 'jpeg'),
            severity=(0.0, 0.6),
            prob=0.5))
    assert isinstance(transform, RandomFaceDegradation)
    assert transform.severity == (0.0, 0.6)
    assert 'RandomFaceDegradation(kinds=' in repr(transform)
    with pytest.raises(ValueError, match=r"unknown kinds \['blurry'\]"):
        RandomFaceDegradation(kinds=('jpeg', 'blurry'))
    with pytest.raises(ValueError, match='severity'):
        RandomFaceDegradation(severity=(0.5, 1.5))
    with pytest.raises(ValueError, match='prob'):
        RandomFaceDegradation(prob=2)
    with pytest.raises(TypeError, match='after LoadImageFromFile'):
        RandomFaceDegradation(prob=1.0)(dict(img=face.astype(np.float32)))


def test_runs_in_a_dataset_pipeline(tmp_path, face):
    cv2.imwrite(str(tmp_path / 'a.png'), face)
    (tmp_path / 'list.txt').write_text('a.png 3.0\n')
    dataset = ScoreListDataset(
        ann_file='list.txt',
        data_root=str(tmp_path),
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='RandomFaceDegradation', kinds='downscale',
                 severity=1.0, prob=1.0, seed=0),
            dict(type='PackInputs', algorithm_keys=('degradation', )),
        ])
    sample = dataset[0]
    expected = DEGRADATIONS['downscale'](face, 1.0)
    chw = np.ascontiguousarray(expected.transpose(2, 0, 1))
    np.testing.assert_array_equal(sample['inputs'].numpy(), chw)
    record = sample['data_samples'].degradation
    assert record['type'] == 'downscale'
    assert record['quality'] == pytest.approx(1.0 - 0.80)
    assert sample['data_samples'].gt_score.tolist() == [3.0]

    # Unseeded, it draws from NumPy's global generator (seeded per worker by
    # MMEngine), so the same global seed repeats the same degradation.
    pipeline = Compose([
        dict(type='LoadImageFromFile'),
        dict(type='RandomFaceDegradation', kinds='gaussian_noise',
             severity=0.5, prob=1.0)
    ])
    results = []
    for _ in range(2):
        np.random.seed(5)
        results.append(
            pipeline(dict(img_path=osp.join(str(tmp_path), 'a.png')))['img'])
    np.testing.assert_array_equal(results[0], results[1])
    assert not np.array_equal(results[0], face)
