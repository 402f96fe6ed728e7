# Copyright (c) fbp_mm contributors. All rights reserved.
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from fbp_mm.datasets import SCUTFBP5500
from fbp_mm.generators.synthetic_faces import (CV_DIR, GROUPS, SCORE_WEIGHTS,
                                               SPLIT_DIR, demo_faces_complete,
                                               draw_face, face_score,
                                               generate_demo_faces,
                                               sample_face_params,
                                               score_to_level)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLI = osp.join(REPO_ROOT, 'tools', 'dataset_converters', 'make_demo_faces.py')
NUM_LABELED = 60
NUM_UNLABELED = 7


def _read_list(path):
    with open(path, encoding='utf-8') as f:
        return [line.rstrip('\n').split(' ') for line in f]


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo_faces'))
    info = generate_demo_faces(
        root, NUM_LABELED, NUM_UNLABELED, size=32, seed=3, noise_std=0.15)
    return root, info


def test_sampling_and_drawing_are_seeded():
    params_a = sample_face_params(np.random.default_rng(7))
    params_b = sample_face_params(np.random.default_rng(7))
    params_c = sample_face_params(np.random.default_rng(8))
    assert params_a == params_b
    assert params_a != params_c
    img_a, img_b = draw_face(params_a, 64), draw_face(params_b, 64)
    assert img_a.shape == (64, 64, 3) and img_a.dtype == np.uint8
    np.testing.assert_array_equal(img_a, img_b)
    assert not np.array_equal(img_a, draw_face(params_c, 64))


def test_face_score_is_a_bounded_function_of_geometry():
    rng = np.random.default_rng(0)
    scores = []
    for _ in range(300):
        params = sample_face_params(rng)
        score = face_score(params)
        assert face_score(dict(params)) == score
        assert 1.0 <= score <= 5.0
        scores.append(score)
    assert np.std(scores) > 0.4

    # Nuisances change the picture but not the score.
    params = sample_face_params(np.random.default_rng(1), 'AF')
    moved = dict(
        params, rotation=-params['rotation'], skin_b=40.0, bg_top_g=10.0,
        hair_r=200.0, shift_x=0.0, sensor_noise=6.0, noise_seed=5)
    assert face_score(moved) == face_score(params)
    assert not np.array_equal(draw_face(moved, 64), draw_face(params, 64))

    # Extreme geometry reaches the ends of the range.
    best = dict(
        eye_size=0.14, face_aspect=1.6, asymmetry=0.0, eye_spacing=0.46,
        mouth_width=0.6, skin_roughness=0.0, nose_size=0.12)
    worst = dict(
        eye_size=0.0, face_aspect=1.0, asymmetry=1.0, eye_spacing=0.9,
        mouth_width=0.1, skin_roughness=2.0, nose_size=0.5)
    assert face_score(best) == pytest.approx(5.0)
    assert face_score(worst) == pytest.approx(1.0)
    # Every documented factor moves the score in the documented direction.
    for key, step in (('eye_size', 0.02), ('face_aspect', 0.1),
                      ('asymmetry', -0.2), ('mouth_width', 0.05),
                      ('skin_roughness', -0.2), ('nose_size', -0.03)):
        middle = dict(
            eye_size=0.1, face_aspect=1.3, asymmetry=0.5, eye_spacing=0.4,
            mouth_width=0.4, skin_roughness=0.5, nose_size=0.2)
        better = dict(middle, **{key: middle[key] + step})
        assert face_score(better) > face_score(middle), key
    assert set(SCORE_WEIGHTS) == {
        'eye_size', 'face_aspect', 'symmetry', 'eye_spacing', 'mouth_width',
        'skin_smoothness', 'nose_size'
    }


def test_score_to_level_bins():
    assert [score_to_level(s) for s in (1.0, 1.799999, 1.8, 2.6, 3.4, 4.2,
                                        5.0)] == [0, 0, 1, 2, 3, 4, 4]


def test_dataset_lists(dataset):
    root, info = dataset
    assert info['num_train'] == 36 and info['num_test'] == 24
    assert info['num_val'] == 4  # 10% of the 36 training images
    assert info['fold_sizes'] == [12] * 5

    train = _read_list(osp.join(root, SPLIT_DIR, 'train.txt'))
    test = _read_list(osp.join(root, SPLIT_DIR, 'test.txt'))
    assert len(train) == 36 and len(test) == 24
    labels = dict(train + test)
    assert len(labels) == NUM_LABELED
    for name, score in labels.items():
        assert name[:2] in GROUPS and name.endswith('.jpg')
        assert score == f'{float(score):.6f}'
        assert 1.0 <= float(score) <= 5.0
        assert osp.isfile(osp.join(root, 'Images', name))
    assert {'AF1.jpg', 'AM1.jpg', 'CF1.jpg', 'CM1.jpg', 'CM15.jpg'} <= set(
        labels)

    seen_tests = []
    for k in range(1, 6):
        fold = osp.join(root, CV_DIR, f'cross_validation_{k}')
        fold_train = _read_list(osp.join(fold, f'train_{k}.txt'))
        fold_test = _read_list(osp.join(fold, f'test_{k}.txt'))
        assert len(fold_test) == 12 and len(fold_train) == 48
        assert not {n for n, _ in fold_train} & {n for n, _ in fold_test}
        assert dict(fold_train + fold_test) == labels
        seen_tests += [n for n, _ in fold_test]
    assert sorted(seen_tests) == sorted(labels)

    # The level lists hold out of the training list exactly the images
    # that SCUTFBP5500(split='val') holds out, in the order of train.txt.
    val_set = SCUTFBP5500(data_root=root, split='val')
    val_names = {
        osp.basename(val_set.get_data_info(i)['img_path'])
        for i in range(len(val_set))
    }
    assert len(val_names) == 4 and val_names < {n for n, _ in train}
    parts = {
        'train': [r for r in train if r[0] not in val_names],
        'val': [r for r in train if r[0] in val_names],
        'test': test
    }
    for split, rows in parts.items():
        levels = _read_list(osp.join(root, 'levels', f'{split}.txt'))
        assert [p for p, _ in levels] == [f'Images/{n}' for n, _ in rows]
        assert [int(lv) for _, lv in levels] == [
            score_to_level(float(s)) for _, s in rows
        ]

    with open(osp.join(root, 'unlabeled.txt'), encoding='utf-8') as f:
        unlabeled = f.read().splitlines()
    assert unlabeled == [f'unlabeled/U{i}.jpg' for i in range(1, 8)]
    for rel in unlabeled:
        img = cv2.imread(osp.join(root, rel))
        assert img is not None and img.shape == (32, 32, 3)

    with open(osp.join(root, 'All_Ratings.csv'), encoding='utf-8') as f:
        rows = [line.rstrip('\n').split(',') for line in f]
    header = rows[0]
    assert header[:2] == ['name', 'score'] and 'eye_size' in header
    assert len(rows) == NUM_LABELED + 1
    ratings = {r[0] + '.jpg': r[1] for r in rows[1:]}
    assert ratings == labels
    clean = [float(r[header.index('clean_score')]) for r in rows[1:]]
    noisy = [float(r[1]) for r in rows[1:]]
    assert np.corrcoef(clean, noisy)[0, 1] > 0.8
    assert osp.isfile(osp.join(root, 'README.md'))
    assert demo_faces_complete(
        root, NUM_LABELED, NUM_UNLABELED, size=32, seed=3, noise_std=0.15)
    assert not demo_faces_complete(
        root, NUM_LABELED, NUM_UNLABELED, size=32, seed=4, noise_std=0.15)


def test_dataset_is_deterministic(dataset, tmp_path):
    root, _ = dataset
    same = str(tmp_path / 'same')
    other = str(tmp_path / 'other')
    generate_demo_faces(same, NUM_LABELED, NUM_UNLABELED, size=32, seed=3)
    generate_demo_faces(other, NUM_LABELED, NUM_UNLABELED, size=32, seed=4)
    rel_files = [
        osp.join(SPLIT_DIR, 'train.txt'), 'All_Ratings.csv', 'Images/AF1.jpg',
        'Images/CM15.jpg', 'unlabeled/U7.jpg'
    ]
    for rel in rel_files:
        with open(osp.join(root, rel), 'rb') as f:
            expected = f.read()
        with open(osp.join(same, rel), 'rb') as f:
            assert f.read() == expected, rel
        with open(osp.join(other, rel), 'rb') as f:
            assert f.read() != expected, rel


def test_score_is_learnable_from_pixels():
    """Ridge regression on 16x16 grey pixels predicts held-out scores."""
    params = [
        sample_face_params(np.random.default_rng([0, i])) for i in range(800)
    ]
    y = np.array([face_score(p) for p in params])
    x = np.stack([
        cv2.resize(
            cv2.cvtColor(draw_face(p, 64), cv2.COLOR_BGR2GRAY), (16, 16),
            interpolation=cv2.INTER_AREA).ravel() / 255.0 for p in params
    ])
    x_train, x_test, y_train, y_test = x[:600], x[600:], y[:600], y[600:]
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    a, b = (x_train - mean) / std, (x_test - mean) / std
    w = np.linalg.solve(a.T @ a + 30.0 * np.eye(a.shape[1]),
                        a.T @ (y_train - y_train.mean()))
    plcc = np.corrcoef(b @ w + y_train.mean(), y_test)[0, 1]
    assert plcc > 0.3

    # The drawn geometry fully explains the clean score up to the one
    # non-linear (peaked) term; a linear fit on it is near perfect.
    keys = ['eye_size', 'face_aspect', 'asymmetry', 'mouth_width',
            'skin_roughness', 'nose_size']
    geo = np.array([[p[k] for k in keys] for p in params])
    spacing = np.abs(np.array([p['eye_spacing'] for p in params]) - 0.46)
    design = np.column_stack([geo, spacing, np.ones(len(params))])
    coef = np.linalg.lstsq(design[:600], y_train, rcond=None)[0]
    assert np.corrcoef(design[600:] @ coef, y_test)[0, 1] > 0.95


def test_cli_generates_then_skips(tmp_path):
    out_dir = str(tmp_path / 'cli')
    cmd = [
        sys.executable, CLI, out_dir, '--num-labeled', '10',
        '--num-unlabeled', '2', '--size', '32', '--seed', '1'
    ]
    env = dict(os.environ, PYTHONPATH='')
    first = subprocess.run(
        cmd, capture_output=True, text=True, cwd=str(tmp_path), env=env)
    assert first.returncode == 0, first.stderr
    assert '100%' in first.stdout
    summary = json.loads(first.stdout.strip().splitlines()[-1])
    assert (summary['num_train'], summary['num_val'],
            summary['num_test']) == (6, 1, 4)
    with open(osp.join(out_dir, '.demo_faces.json'), encoding='utf-8') as f:
        assert json.load(f)['settings']['num_labeled'] == 10
    assert len(os.listdir(osp.join(out_dir, 'Images'))) == 10

    second = subprocess.run(
        cmd, capture_output=True, text=True, cwd=str(tmp_path), env=env)
    assert second.returncode == 0, second.stderr
    assert 'already holds' in second.stdout
    assert '100%' not in second.stdout
