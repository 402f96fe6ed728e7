# Copyright (c) fbp_mm contributors. All rights reserved.
import os.path as osp

import cv2
import numpy as np
import pytest

from fbp_mm.generators.degradations import (BASE_DEGRADATIONS, DEGRADATIONS,
                                            QUALITY_WEIGHTS, mixed,
                                            quality_score)
from fbp_mm.generators.synthetic_faces import generate_demo_faces


@pytest.fixture(scope='module')
def face(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('faces'))
    generate_demo_faces(root, 5, 0, size=64, seed=1)
    return cv2.imread(osp.join(root, 'Images', 'AF1.jpg'))


@pytest.mark.parametrize('name', list(DEGRADATIONS))
def test_degradation_is_identity_at_zero_and_grows(face, name):
    fn = DEGRADATIONS[name]
    same = fn(face, 0.0, np.random.default_rng(0))
    np.testing.assert_array_equal(same, face)
    assert same is not face
    diffs = []
    for strength in (0.2, 0.5, 1.0):
        out = fn(face, strength, np.random.default_rng(0))
        assert out.shape == face.shape and out.dtype == np.uint8
        diffs.append(np.abs(out.astype(np.float64) - face).mean())
    assert 0.0 < diffs[0] < diffs[1] < diffs[2], diffs
    grey = cv2.cvtColor(face, cv2.COLOR_BGR2GRAY)
    assert fn(grey, 0.7, np.random.default_rng(0)).shape == grey.shape


def test_degradations_check_their_input(face):
    with pytest.raises(ValueError, match='strength'):
        DEGRADATIONS['jpeg'](face, 1.5)
    with pytest.raises(ValueError, match='strength'):
        DEGRADATIONS['downscale'](face, float('nan'))
    with pytest.raises(TypeError, match='uint8'):
        DEGRADATIONS['gaussian_blur'](face.astype(np.float32), 0.5)


def test_mixed_reports_its_parts(face):
    out, parts = mixed(face, 0.8, np.random.default_rng(4), True)
    assert 2 <= len(parts) <= 3 and set(parts) <= set(BASE_DEGRADATIONS)
    assert sum(parts.values()) == pytest.approx(0.8)
    again = mixed(face, 0.8, np.random.default_rng(4))
    np.testing.assert_array_equal(out, again)
    assert 0.0 < quality_score(parts) < 1.0


def test_quality_score_falls_strictly_with_every_strength():
    assert quality_score({}) == 1.0
    grid = np.linspace(0.0, 1.0, 11)
    for name in QUALITY_WEIGHTS:
        for background in (0.0, 0.5, 1.0):
            others = {k: background for k in QUALITY_WEIGHTS if k != name}
            scores = [quality_score({**others, name: s}) for s in grid]
            assert np.all(np.diff(scores) < 0), (name, background)
            assert all(0.0 < s <= 1.0 for s in scores)
    assert quality_score({k: 1.0 for k in QUALITY_WEIGHTS}) > 0.0
    with pytest.raises(KeyError, match='mixed'):
        quality_score({'mixed': 0.5})
    with pytest.raises(ValueError):
        quality_score({'jpeg': -0.1})
