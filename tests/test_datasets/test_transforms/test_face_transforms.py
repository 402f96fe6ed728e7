"""Face transforms: box and landmarks from the annotation or the
backends, alignment, flips, and images without a face."""
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

import fbp_mm  # noqa: F401  (registers the transforms)
from fbp_mm.faces import face_template, five_point_subset
from fbp_mm.generators.synthetic_faces import (draw_face, face_landmarks,
                                               sample_face_params)


def build(cfg):
    return TRANSFORMS.build(cfg)


@pytest.fixture
def photo():
    from skimage import data
    return np.ascontiguousarray(data.astronaut()[..., ::-1])


def test_detect_landmarks_align_on_a_photo(photo):
    results = dict(img=photo.copy(), img_shape=photo.shape[:2])
    for cfg in (dict(type='DetectFace', detector=dict(type='DlibHogFace')),
                dict(type='FaceLandmarks'),
                dict(type='AlignFace', size=96, margin=0.1)):
        results = build(cfg)(results)
    assert results['face_found'] is True
    assert results['img'].shape == (96, 96, 3)
    assert results['img_shape'] == (96, 96)
    eyes = five_point_subset(results['face_landmarks'])[:2]
    assert np.abs(eyes - face_template(96, 0.1)[:2]).max() < 3.0
    x1, y1, x2, y2 = results['face_box']
    assert 0 <= x1 < eyes[0, 0] and eyes[1, 0] < x2 <= 96
    assert results['face_score'] > 0


def test_annotation_is_used_without_running_a_backend():
    params = sample_face_params(np.random.default_rng(2))
    img = draw_face(params, 128)
    points = face_landmarks(params, 128)
    box = [10.0, 12.0, 118.0, 120.0]
    # a detector that cannot load would fail if it were used
    detect = build(dict(type='DetectFace',
                        detector=dict(type='HaarFace', cascade='nope.xml')))
    results = detect(dict(img=img, face_box=box, face_landmarks=points))
    results = build(dict(type='FaceLandmarks', model='/nonexistent'))(results)
    np.testing.assert_array_equal(results['face_box'], box)
    np.testing.assert_array_equal(results['face_landmarks'], points)
    aligned = build(dict(type='AlignFace', size=64))(results)
    moved = five_point_subset(aligned['face_landmarks'])
    np.testing.assert_allclose(
        moved, five_point_subset(points) @ aligned['face_align_matrix'][:, :2]
        .T + aligned['face_align_matrix'][:, 2], atol=1e-3)


def test_an_image_without_a_face_is_passed_on():
    blank = np.full((80, 100, 3), 127, np.uint8)
    results = dict(img=blank)
    for cfg in (dict(type='DetectFace'), dict(type='FaceLandmarks'),
                dict(type='AlignFace', size=64),
                dict(type='RandomFaceFlip', prob=1.0)):
        results = build(cfg)(results)
    assert results['face_found'] is False
    assert results['face_box'] is None and results['face_landmarks'] is None
    assert results['img'].shape == (64, 64, 3)
    kept = build(dict(type='AlignFace', resize_no_face=False))(
        dict(img=blank, face_found=False))
    assert kept['img'].shape == (80, 100, 3)


def test_flip_moves_the_image_box_and_landmarks_together():
    params = sample_face_params(np.random.default_rng(3))
    params['sensor_noise'] = 0.0
    img = draw_face(params, 256)
    points = face_landmarks(params, 256)
    flip = build(dict(type='RandomFaceFlip', prob=1.0))
    out = flip(dict(img=img.copy(), face_landmarks=points.copy(),
                    face_box=np.array([20, 30, 200, 240], np.float32)))
    assert out['flip'] is True and out['flip_direction'] == 'horizontal'
    np.testing.assert_array_equal(out['img'], img[:, ::-1])
    np.testing.assert_array_equal(out['face_box'], [55, 30, 235, 240])
    flipped = out['face_landmarks']
    # the viewer's left eye of the flipped face is the old right eye
    np.testing.assert_allclose(flipped[36:42, 0].mean(),
                               255 - points[42:48, 0].mean(), atol=1e-4)
    for eye in (flipped[36:42], flipped[42:48]):
        x, y = np.round(eye.mean(0)).astype(int)
        assert out['img'][y, x].max() < 100  # still on a pupil
    kept = build(dict(type='RandomFaceFlip', prob=0.0))(
        dict(img=img, face_landmarks=points))
    assert kept['flip'] is False and kept['face_landmarks'] is points
    with pytest.raises(ValueError, match=r'prob must be in \[0, 1\]'):
        build(dict(type='RandomFaceFlip', prob=2))
