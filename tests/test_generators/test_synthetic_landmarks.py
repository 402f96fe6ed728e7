"""The synthetic faces' 68 landmarks and attributes match what is drawn."""
import os.path as osp

import cv2
import numpy as np
import pytest

from fbp_mm.generators import generate_demo_faces
from fbp_mm.generators.synthetic_faces import (ATTRIBUTES, draw_face,
                                               face_attributes,
                                               face_landmarks,
                                               sample_face_params)

SIZE = 256  # large enough that the pupils are a few pixels wide


def quiet_faces(num, seed=0):
    """Face parameters without sensor noise, so pixels can be read."""
    rng = np.random.default_rng(seed)
    faces = []
    for _ in range(num):
        params = sample_face_params(rng)
        params['sensor_noise'] = 0.0
        faces.append(params)
    return faces


def pixel(img, point):
    """The BGR colour at a sub-pixel position."""
    patch = cv2.getRectSubPix(img.astype(np.float32), (1, 1),
                              (float(point[0]), float(point[1])))
    return patch[0, 0]


def colour(params, prefix):
    return np.array([params[f'{prefix}_{c}'] for c in 'bgr'])


def test_landmarks_lie_on_the_drawn_features():
    for params in quiet_faces(40):
        img = draw_face(params, SIZE)
        pts = face_landmarks(params, SIZE)
        assert pts.shape == (68, 2) and pts.dtype == np.float32
        # each eye's centre is on its (black) pupil
        for eye in (pts[36:42], pts[42:48]):
            assert pixel(img, eye.mean(0)).max() < 80, eye.mean(0)
        # half way up the upper lip the colour is the lips', not the skin's
        centre = (pts[48] + pts[54]) / 2
        lip = pixel(img, (pts[51] + centre) / 2)
        assert np.abs(lip - colour(params, 'lips')).sum() < np.abs(
            lip - colour(params, 'skin')).sum()
        # viewer's left before right; brows over eyes over nose over mouth
        assert pts[36:42, 0].mean() < pts[42:48, 0].mean()
        assert pts[17:22, 0].mean() < pts[22:27, 0].mean()
        assert pts[0, 0] < pts[8, 0] < pts[16, 0]
        assert pts[17:27, 1].mean() < pts[36:48, 1].mean() < pts[30, 1] \
            < centre[1] < pts[57, 1] < pts[8, 1]
        assert pts[51, 1] < centre[1]
        # the eye corners are the outermost points of each eye
        for left, right, eye in ((36, 39, pts[36:42]), (42, 45, pts[42:48])):
            assert pts[left, 0] == pytest.approx(eye[:, 0].min(), abs=0.5)
            assert pts[right, 0] == pytest.approx(eye[:, 0].max(), abs=0.5)


def test_landmarks_move_with_the_pose():
    params = quiet_faces(1, seed=3)[0]
    params.update(rotation=0.0, scale=1.0, shift_x=0.0, shift_y=0.0)
    still = face_landmarks(params, SIZE)
    moved = face_landmarks(dict(params, shift_x=0.05, shift_y=-0.02), SIZE)
    np.testing.assert_allclose(moved - still,
                               np.tile([0.05 * SIZE, -0.02 * SIZE], (68, 1)),
                               atol=1e-3)
    turned = face_landmarks(dict(params, rotation=90.0), SIZE)
    # OpenCV's positive angle turns counter-clockwise on screen: a point
    # right of the centre goes up
    centre = np.array([0.5 * SIZE, 0.53 * SIZE])
    expected = np.stack([centre[0] + (still[:, 1] - centre[1]),
                         centre[1] - (still[:, 0] - centre[0])], 1)
    np.testing.assert_allclose(turned, expected, atol=1e-3)


def test_attributes_read_the_parameters():
    faces = quiet_faces(200)
    table = np.array([[face_attributes(p)[a] for a in ATTRIBUTES]
                      for p in faces])
    assert set(np.unique(table)) == {0, 1}
    # every attribute takes both values over 200 faces
    assert (table.mean(0) > 0.1).all() and (table.mean(0) < 0.9).all()
    for params, row in zip(faces, table):
        assert row[ATTRIBUTES.index('smiling')] == (params['smile'] > 0.5)
        assert row[ATTRIBUTES.index('long_hair')] == params['long_hair']


def test_generated_dataset_lists_landmarks_and_attributes(tmp_path):
    root = str(tmp_path)
    generate_demo_faces(root, num_labeled=10, num_unlabeled=3, size=64,
                        seed=4)
    with open(osp.join(root, 'landmarks.txt')) as f:
        rows = [line.split() for line in f]
    names = [r[0] for r in rows]
    assert len(rows) == 13 and all(len(r) == 1 + 136 for r in rows)
    assert names[0] == 'Images/AF1.jpg' and names[-1] == 'unlabeled/U3.jpg'
    # the first labeled face is drawn from the seeded parameters
    params = sample_face_params(np.random.default_rng([4, 0, 0]), 'AF')
    np.testing.assert_allclose(
        np.array(rows[0][1:], float).reshape(68, 2),
        face_landmarks(params, 64), atol=0.006)
    assert cv2.imread(osp.join(root, names[-1])).shape == (64, 64, 3)

    with open(osp.join(root, 'attributes.txt')) as f:
        lines = f.read().splitlines()
    assert lines[0] == '13'
    assert lines[1].split() == list(ATTRIBUTES)
    first = lines[2].split()
    assert first[0] == 'Images/AF1.jpg'
    assert [int(v) for v in first[1:]] == [
        1 if face_attributes(params)[a] else -1 for a in ATTRIBUTES
    ]
    assert [line.split()[0] for line in lines[2:]] == names

    # the labeled images' splits in CelebA's partition layout, as levels/
    with open(osp.join(root, 'partition.txt')) as f:
        partition = dict(line.split() for line in f)
    assert list(partition) == [n for n in names if n.startswith('Images/')]
    for code, split in enumerate(('train', 'val', 'test')):
        with open(osp.join(root, 'levels', f'{split}.txt')) as f:
            listed = {line.split()[0] for line in f}
        assert listed == {n for n, p in partition.items() if p == str(code)}
