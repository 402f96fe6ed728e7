"""68 landmarks on real photos, their flip, and alignment to the
template."""
import cv2
import numpy as np
import pytest

from fbp_mm.faces import (FLIP_PAIRS_68, DlibLandmarkPredictor, align_face,
                          build_face_detector, face_template,
                          five_point_subset, flip_landmarks,
                          similarity_transform)
from fbp_mm.generators.synthetic_faces import (draw_face, face_landmarks,
                                               sample_face_params)


def test_landmarks_are_in_face_order(photos, landmarks):
    for name, pts in landmarks.items():
        assert pts.shape == (68, 2), name
        eyes_y = pts[36:48, 1].mean()
        assert pts[17:27, 1].mean() < eyes_y < pts[30, 1] < pts[
            48:60, 1].mean() < pts[8, 1], name
        assert pts[36:42, 0].mean() < pts[27:31, 0].mean() < pts[42:48,
                                                                 0].mean()
        assert pts[0, 0] < pts[8, 0] < pts[16, 0]


def test_five_point_predictor(photos):
    img = photos['grace_hopper']
    face = build_face_detector(dict(type='DlibHogFace')).detect(img)[0]
    five = DlibLandmarkPredictor(num_points=5).predict(img, face.box)
    assert five.shape == (5, 2)
    x1, y1, x2, y2 = face.box
    assert ((five >= [x1, y1]) & (five <= [x2, y2])).all()
    with pytest.raises(ValueError, match='num_points must be 68 or 5'):
        DlibLandmarkPredictor(num_points=21)


def test_flip_pairs_swap_left_and_right():
    pairs = dict(FLIP_PAIRS_68)
    assert pairs[36] == 45 and pairs[48] == 54 and pairs[0] == 16
    assert len(set(pairs) | set(pairs.values())) == 2 * len(pairs)
    centre = {8, 27, 28, 29, 30, 33, 51, 57, 62, 66}
    assert centre.isdisjoint(set(pairs) | set(pairs.values()))
    assert len(centre) + 2 * len(pairs) == 68


def test_flipped_synthetic_face_matches_flipped_landmarks():
    """On a drawn face the landmarks are exact: after the flip each eye
    centre is still on a pupil and every point keeps its side."""
    params = sample_face_params(np.random.default_rng(7))
    params['sensor_noise'] = 0.0
    img = draw_face(params, 256)
    flipped_img = cv2.flip(img, 1)
    pts = flip_landmarks(face_landmarks(params, 256), 256)
    for eye in (pts[36:42], pts[42:48]):
        centre = cv2.getRectSubPix(flipped_img.astype(np.float32), (1, 1),
                                   tuple(float(v) for v in eye.mean(0)))
        assert centre.max() < 80
    assert pts[36:42, 0].mean() < pts[42:48, 0].mean()
    assert pts[36, 0] < pts[39, 0] and pts[48, 0] < pts[54, 0]
    np.testing.assert_allclose(flip_landmarks(pts, 256),
                               face_landmarks(params, 256), atol=1e-4)


def test_dlib_landmarks_of_a_flipped_photo_match_flipped_landmarks(
        photos, landmarks):
    detector = build_face_detector(dict(type='DlibHogFace'))
    predictor = DlibLandmarkPredictor()
    for name, img in photos.items():
        flipped = cv2.flip(img, 1)
        found = predictor.predict(flipped, detector.detect(flipped)[0])
        expected = flip_landmarks(landmarks[name], img.shape[1])
        error = np.linalg.norm(found - expected, axis=1)
        inter_ocular = np.linalg.norm(expected[36:42].mean(0) -
                                      expected[42:48].mean(0))
        assert error.mean() < 0.1 * inter_ocular, (name, error.mean())


def test_similarity_transform_recovers_a_known_one():
    rng = np.random.default_rng(0)
    src = rng.uniform(0, 100, (5, 2))
    angle, scale, shift = np.deg2rad(20.0), 1.7, np.array([5.0, -3.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)],
                    [np.sin(angle), np.cos(angle)]])
    dst = scale * src @ rot.T + shift
    matrix = similarity_transform(src, dst)
    np.testing.assert_allclose(matrix[:, :2], scale * rot, atol=1e-9)
    np.testing.assert_allclose(matrix[:, 2], shift, atol=1e-9)
    with pytest.raises(ValueError, match='source points coincide'):
        similarity_transform(np.ones((3, 2)), dst[:3])


@pytest.mark.parametrize('margin', [0.0, 0.25])
def test_aligned_crops_put_the_eyes_on_the_template(photos, landmarks,
                                                    margin):
    template = face_template(112, margin)
    for name, img in photos.items():
        crop, matrix = align_face(img, landmarks[name], 112, margin)
        assert crop.shape == (112, 112, 3)
        eyes = five_point_subset(landmarks[name])[:2]
        moved = eyes @ matrix[:, :2].T + matrix[:, 2]
        assert np.abs(moved - template[:2]).max() < 3.0, (name, moved)
        # the crop is the face: the detector finds it, about crop-sized
        face = build_face_detector(dict(type='DlibHogFace', min_score=-0.5)
                                   ).detect(cv2.resize(crop, (224, 224)))
        assert face, name
    with pytest.raises(ValueError, match=r'takes \(68, 2\) or \(5, 2\)'):
        align_face(photos['astronaut'], np.zeros((4, 2)))
