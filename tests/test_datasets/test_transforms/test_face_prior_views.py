"""FacePriorViews: several views of a face, each with its own targets."""
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

import fbp_mm  # noqa: F401  (registers the transforms)
from fbp_mm.faces import FLIP_PAIRS_68
from fbp_mm.generators.synthetic_faces import (draw_face, face_landmarks,
                                               sample_face_params)

CROP = dict(type='CropFaceBox', size=64, scale=1.3)
TARGETS = dict(type='FacePriorTargets', patch_size=8)


def face():
    params = sample_face_params(np.random.default_rng(5))
    return dict(img=draw_face(params, 96),
                face_landmarks=face_landmarks(params, 96))


def test_views_keep_their_own_targets_and_flips():
    views = TRANSFORMS.build(
        dict(type='FacePriorViews',
             transforms=[[CROP, dict(type='RandomFaceFlip', prob=0.0),
                          TARGETS],
                         [CROP, dict(type='RandomFaceFlip', prob=1.0),
                          TARGETS]],
             num_views=[1, 1]))
    out = views(face())
    assert len(out['img']) == 2 and out['img'][0].shape == (64, 64, 3)
    np.testing.assert_array_equal(out['img'][1], out['img'][0][:, ::-1])
    assert out['face_view_flipped'].tolist() == [False, True]
    assert out['face_patch_labels'].shape == (2, 8, 8)
    assert out['face_heatmaps'].shape == (2, 68, 8, 8)
    assert out['face_component_boxes'].shape == (2, 6, 4)
    assert out['face_prior_valid'].tolist() == [True, True]
    # the flipped view's heatmaps are the mirrored ones, left/right swapped
    order = np.arange(68)
    for a, b in FLIP_PAIRS_68:
        order[a], order[b] = b, a
    np.testing.assert_allclose(out['face_heatmaps'][1],
                               out['face_heatmaps'][0][order][:, :, ::-1],
                               atol=1e-5)
    # image-left eye box of the flipped view = mirrored image-right eye box
    x1, y1, x2, y2 = out['face_component_boxes'][0, 3]
    np.testing.assert_allclose(out['face_component_boxes'][1, 2],
                               [63 - x2, y1, 63 - x1, y2], atol=1e-4)


def test_random_views_differ_and_a_view_without_targets_is_named():
    np.random.seed(0)
    jitter = dict(CROP, scale_jitter=0.2, shift_jitter=0.1)
    views = TRANSFORMS.build(
        dict(type='FacePriorViews', transforms=[[jitter, TARGETS]],
             num_views=3))
    out = views(face())
    assert out['face_heatmaps'].shape[0] == 3
    assert not np.allclose(out['face_heatmaps'][0], out['face_heatmaps'][1])
    broken = TRANSFORMS.build(
        dict(type='FacePriorViews', transforms=[[CROP, TARGETS], [CROP]],
             num_views=[1, 1]))
    with pytest.raises(KeyError, match=r"view\(s\) \[1\] of a\.jpg"):
        broken(dict(face(), img_path='a.jpg'))
