"""CropFaceBox: the square crop, its padding and the moved landmarks, box
and matrix (pixel centres at integer coordinates)."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import TRANSFORMS

import fbp_mm  # noqa: F401  (registers the transforms)


def crop(results, **cfg):
    return TRANSFORMS.build(dict(type='CropFaceBox', **cfg))(results)


def marked_image(points, shape=(100, 120)):
    """Zeros with one bright pixel at each integer ``(x, y)`` point."""
    img = np.zeros((*shape, 3), np.uint8)
    for x, y in points:
        img[y, x] = 255
    return img


def bright(img):
    """``(x, y)`` of the pixels that are not black."""
    ys, xs = np.nonzero(img[..., 0])
    return sorted(zip(xs.tolist(), ys.tolist()))


def test_same_scale_crop_moves_a_pixel_and_its_landmark_together():
    # box over pixels 40..59 (centre 49.5), x1.5 -> side 30: pixels 35..64
    results = crop(
        dict(
            img=marked_image([(50, 45)]),
            face_box=np.array([39.5, 39.5, 59.5, 59.5], np.float32),
            face_landmarks=np.array([[50, 45], [35, 64]], np.float32)),
        size=30,
        scale=1.5)
    assert results['img'].shape == (30, 30, 3)
    assert results['img_shape'] == (30, 30)
    assert bright(results['img']) == [(15, 10)]
    np.testing.assert_allclose(results['face_landmarks'], [[15, 10], [0, 29]])
    assert results['face_landmarks'].dtype == np.float32
    np.testing.assert_allclose(results['face_box'], [4.5, 4.5, 24.5, 24.5])
    np.testing.assert_allclose(results['face_crop_matrix'],
                               [[1, 0, -35], [0, 1, -35]])


def test_upscaled_crop_maps_a_pixel_to_the_centre_of_its_block():
    # side 30 resized to 60: each source pixel becomes a 2 x 2 block
    results = crop(
        dict(
            img=marked_image([(50, 45)]),
            face_box=np.array([39.5, 39.5, 59.5, 59.5], np.float32),
            face_landmarks=np.array([[50, 45]], np.float32)),
        size=60,
        scale=1.5,
        interpolation='nearest')
    assert bright(results['img']) == [(30, 20), (30, 21), (31, 20),
                                      (31, 21)]
    np.testing.assert_allclose(results['face_landmarks'], [[30.5, 20.5]])
    np.testing.assert_allclose(results['face_box'], [9.5, 9.5, 49.5, 49.5])
    # the crop's edges are the square's edges
    matrix = results['face_crop_matrix']
    corners = np.array([[34.5, 34.5], [64.5, 64.5]]) @ matrix[:, :2].T
    np.testing.assert_allclose(corners + matrix[:, 2], [[-0.5, -0.5],
                                                       [59.5, 59.5]])


def test_crop_past_the_image_corner_is_zero_padded():
    # box over pixels 0..19, x1.5 -> pixels -5..24
    img = np.full((100, 120, 3), 200, np.uint8)
    img[3, 2] = 255
    results = crop(
        dict(
            img=img,
            face_box=np.array([-0.5, -0.5, 19.5, 19.5], np.float32),
            face_landmarks=np.array([[2, 3]], np.float32)),
        size=30,
        scale=1.5)
    out = results['img']
    assert (out[:5] == 0).all() and (out[:, :5] == 0).all()
    assert (out[5:, 5:] > 0).all()
    np.testing.assert_allclose(results['face_landmarks'], [[7, 8]])
    assert out[8, 7].tolist() == [255, 255, 255]
    assert out[8, 8].tolist() == [200, 200, 200]
    np.testing.assert_allclose(results['face_box'], [4.5, 4.5, 24.5, 24.5])


def test_box_defaults_to_the_landmark_extent_and_takes_its_longer_side():
    points = np.array([[40, 50], [60, 50], [50, 60]], np.float32)
    results = crop(
        dict(img=marked_image([(50, 60)]), face_landmarks=points),
        size=25,
        scale=1.25)
    # extent 20 x 10 about (50, 55); side 25 -> translation 25 / 2 - 0.5
    np.testing.assert_allclose(results['face_crop_matrix'],
                               [[1, 0, -38], [0, 1, -43]])
    np.testing.assert_allclose(results['face_landmarks'],
                               [[2, 7], [22, 7], [12, 17]])
    assert bright(results['img']) == [(12, 17)]
    assert 'face_box' not in results


def test_crop_follows_an_arbitrary_scale():
    rng = np.random.default_rng(0)
    points = rng.uniform(20, 80, (10, 2)).astype(np.float32)
    box = np.array([13.0, 21.0, 77.0, 61.0], np.float32)
    results = crop(
        dict(img=np.zeros((90, 90), np.uint8), face_box=box.copy(),
             face_landmarks=points.copy()),
        size=50)
    side = 64 * 1.25
    k = 50 / side
    expected = k * (points - (np.array([45.0, 41.0]) - side / 2)) - 0.5
    np.testing.assert_allclose(results['face_landmarks'], expected,
                               atol=1e-4)
    assert results['img'].shape == (50, 50)
    # the box's centre stays the crop's centre, its longer side k * 64
    x1, y1, x2, y2 = results['face_box']
    assert (x1 + x2) / 2 == pytest.approx(24.5, abs=1e-4)
    assert (y1 + y2) / 2 == pytest.approx(24.5, abs=1e-4)
    assert x2 - x1 == pytest.approx(40.0, abs=1e-4)


def test_sample_without_a_face_keeps_the_whole_image():
    img = np.full((40, 80, 3), 9, np.uint8)
    results = crop(dict(img=img, face_box=None, face_landmarks=None,
                        face_found=False), size=20)
    out = results['img']
    assert out.shape == (20, 20, 3)
    # 80 x 80 square around the image: a quarter of the height is padding
    assert (out[:5] == 0).all() and (out[-5:] == 0).all()
    assert (out[6:-6] == 9).all()
    assert results['face_landmarks'] is None


def test_degenerate_box_and_bad_arguments_raise():
    with pytest.raises(ValueError, match='a.jpg'):
        crop(dict(img=np.zeros((10, 10), np.uint8), img_path='a.jpg',
                  face_box=np.array([5, 5, 5, 5], np.float32)), size=8)
    for cfg in (dict(size=0), dict(scale=0), dict(interpolation='area'),
                dict(scale_jitter=1.0), dict(shift_jitter=-0.1),
                dict(around='box')):
        with pytest.raises(ValueError):
            TRANSFORMS.build(dict(type='CropFaceBox', **cfg))


def test_jittered_crops_vary_within_their_ranges_and_keep_pixels_on_marks():
    # the box's centre pixel (50, 50) is marked; each random crop's matrix
    # says where it went, and the bright pixel is there
    box = np.array([39.5, 39.5, 60.5, 60.5], np.float32)  # side 21, centre 50
    np.random.seed(0)
    sides, shifts = [], []
    for _ in range(40):
        out = crop(dict(img=marked_image([(50, 50)]), face_box=box.copy(),
                        face_landmarks=np.array([[50, 50]], np.float32)),
                   size=42, scale=1.0, scale_jitter=0.2, shift_jitter=0.1,
                   interpolation='nearest')
        matrix = out['face_crop_matrix'].astype(np.float64)
        side = 42 / matrix[0, 0]
        # crop centre in image coordinates: where crop pixel 20.5 comes from
        centre = (20.5 - matrix[0, 2]) / matrix[0, 0]
        sides.append(side)
        shifts.append((centre - 50) / side)
        x, y = out['face_landmarks'][0]
        assert out['img'][int(round(y)), int(round(x))].max() == 255
    assert 21 * 0.8 <= min(sides) and max(sides) <= 21 * 1.2
    assert max(sides) - min(sides) > 21 * 0.2  # it does vary
    assert max(np.abs(shifts)) <= 0.1 + 1e-6
    assert max(shifts) - min(shifts) > 0.1
    # without jitter, the same crop every time
    fixed = [crop(dict(img=marked_image([(50, 50)]), face_box=box.copy()),
                  size=42, scale=1.0)['face_crop_matrix'] for _ in range(3)]
    assert all(np.array_equal(fixed[0], m) for m in fixed)


def test_crop_around_the_image_is_a_resize_that_moves_the_landmarks():
    img = marked_image([(30, 10)], shape=(60, 80))
    out = crop(dict(img=img, face_landmarks=np.array([[30, 10]], np.float32),
                    face_box=np.array([25, 5, 35, 15], np.float32)),
               size=40, scale=1.0, around='image', interpolation='nearest')
    # the 80 px square (the image's longer side) on the image centre, half
    # size: pixel centre x lands on (x + 0.5) / 2 - 0.5; 10 rows of padding
    np.testing.assert_allclose(out['face_landmarks'], [[14.75, 9.75]])
    assert out['img'][:5].max() == 0 and out['img'][35:].max() == 0
    ys, xs = np.nonzero(out['img'][..., 0])
    assert set(xs.tolist()) <= {14, 15} and set(ys.tolist()) <= {9, 10}


def test_pack_inputs_carries_the_landmarks_to_the_data_sample():
    results = crop(
        dict(img=np.zeros((100, 100, 3), np.uint8),
             img_path='a.jpg',
             face_box=np.array([39.5, 39.5, 59.5, 59.5], np.float32),
             face_landmarks=np.array([[50, 45]], np.float32)),
        size=30,
        scale=1.5)
    packed = TRANSFORMS.build(
        dict(type='PackInputs', algorithm_keys=['face_landmarks',
                                                'face_box']))(results)
    sample = packed['data_samples']
    assert isinstance(packed['inputs'], torch.Tensor)
    assert packed['inputs'].shape == (3, 30, 30)
    # PackInputs stores the array as it is (no tensor conversion)
    assert isinstance(sample.face_landmarks, np.ndarray)
    np.testing.assert_allclose(sample.face_landmarks, [[15, 10]])
    np.testing.assert_allclose(sample.face_box, [4.5, 4.5, 24.5, 24.5])
    assert sample.img_shape == (30, 30)
    assert sample.img_path == 'a.jpg'
