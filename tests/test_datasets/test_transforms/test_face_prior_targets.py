"""FacePriorTargets: part map, patch labels, heatmaps and component boxes
of a hand-made 68-point face, and their consistency with flips and crops."""
import numpy as np
import pytest
from mmpretrain.registry import TRANSFORMS

import fbp_mm  # noqa: F401  (registers the transforms)
from fbp_mm.datasets.transforms import COMPONENTS, PART_LABELS
from fbp_mm.faces import FLIP_PAIRS_68

SIN60 = np.sqrt(3) / 2
# l/r label swap of a horizontal mirror
SWAP = np.array([0, 1, 3, 2, 5, 4, 6, 7])


def targets(results, **cfg):
    return TRANSFORMS.build(dict(type='FacePriorTargets', **cfg))(results)


def ring(cx, cy, a, b, angles):
    """Points at ``angles`` (degrees, counter-clockwise as seen) on an
    ellipse of half-axes ``a``, ``b`` (image y points down)."""
    t = np.deg2rad(np.asarray(angles, np.float64))
    return np.stack([cx + a * np.cos(t), cy - b * np.sin(t)], 1)


def hand_face():
    """68 points of a face symmetric about ``x = 32`` on a 64 x 64 image."""
    pts = np.zeros((68, 2))
    t = np.pi * np.arange(17) / 16
    pts[:17] = np.stack([32 - 24 * np.cos(t), 28 + 28 * np.sin(t)], 1)
    pts[17:22] = [[14, 19], [17, 17], [20, 16], [23, 17], [26, 19]]
    pts[27:31] = [[32, 24], [32, 27], [32, 30], [32, 33]]
    pts[31:33] = [[28, 36], [30, 36]]
    pts[33] = [32, 36]
    pts[36:42] = ring(22, 26, 3, 3, 180 - 60 * np.arange(6))
    pts[48:60] = ring(32, 46, 8, 4, 180 - 30 * np.arange(12))
    pts[60:68] = ring(32, 46, 5, 2, 180 - 45 * np.arange(8))
    for a, b in FLIP_PAIRS_68:
        if a in range(17, 22) or a in range(31, 33) or a in range(36, 42):
            pts[b] = [64 - pts[a, 0], pts[a, 1]]
    return pts.astype(np.float32)


def image(shape=(64, 64)):
    return np.random.default_rng(0).integers(0, 255, (*shape, 3), np.uint8)


def test_hand_face_is_symmetric():
    # guards the fixture: its right side is the mirror of its left
    pts = hand_face()
    order = np.arange(68)
    for a, b in FLIP_PAIRS_68:
        order[a], order[b] = b, a
    mirrored = pts[order].copy()
    mirrored[:, 0] = 64 - mirrored[:, 0]
    np.testing.assert_allclose(mirrored, pts, atol=1e-5)


def test_part_map_labels_at_chosen_pixels():
    out = targets(dict(img=image(), face_landmarks=hand_face()))
    part_map = out['face_part_map']
    assert part_map.shape == (64, 64) and part_map.dtype == np.uint8
    expected = {
        (22, 26): 'eye_l',
        (42, 26): 'eye_r',
        (32, 46): 'mouth',
        (32, 34): 'nose',
        (20, 17): 'brow_l',
        (44, 17): 'brow_r',
        (32, 53): 'face',
        (12, 30): 'face',
        (0, 0): 'background',
        (63, 63): 'background',
        (32, 60): 'background',
    }
    for (x, y), name in expected.items():
        assert part_map[y, x] == PART_LABELS[name], (x, y, name)
    assert set(np.unique(part_map).tolist()) == set(range(8))
    assert out['face_prior_valid'] is True


def test_heatmap_peaks_in_the_patch_of_each_landmark():
    pts = hand_face()
    out = targets(dict(img=image(), face_landmarks=pts), patch_size=8)
    heat = out['face_heatmaps']
    assert heat.shape == (68, 8, 8) and heat.dtype == np.float32
    # away from patch edges, where two patches tie
    # (pixel centres at integers: patch g holds pixels 8g .. 8g + 7, whose
    # edges are at 8g - 0.5 and 8g + 7.5)
    edge = (pts + 0.5) / 8
    away = (np.abs(edge - np.round(edge)) > 0.01).all(1)
    assert away.sum() >= 40
    for k in np.flatnonzero(away):
        peak = np.unravel_index(heat[k].argmax(), heat[k].shape)
        assert peak == (int(edge[k, 1]), int(edge[k, 0])), k
    # a landmark at a patch centre has peak 1 and sigma 1 patch
    pts[30] = [19.5, 27.5]  # patch (3, 2): pixels 16..23 x 24..31
    heat = targets(dict(img=image(), face_landmarks=pts),
                   patch_size=8)['face_heatmaps'][30]
    assert heat[3, 2] == pytest.approx(1.0)
    assert heat[3, 3] == pytest.approx(np.exp(-0.5))
    assert heat[4, 3] == pytest.approx(np.exp(-1.0))
    sharp = targets(dict(img=image(), face_landmarks=pts), patch_size=8,
                    heatmap_sigma=0.5)['face_heatmaps'][30]
    assert sharp[3, 3] == pytest.approx(np.exp(-2.0))


def test_component_boxes_are_the_extents_with_margin():
    out = targets(dict(img=image(), face_landmarks=hand_face()))
    assert out['face_component_names'] == COMPONENTS == (
        'brow_l', 'brow_r', 'eye_l', 'eye_r', 'nose', 'mouth')
    h = 3 * SIN60
    expected = [
        [14 - 3, 16 - 3, 26 + 3, 19 + 3],  # 12 wide: margin 3
        [38 - 3, 16 - 3, 50 + 3, 19 + 3],
        [19 - 1.5, 26 - h - 1.5, 25 + 1.5, 26 + h + 1.5],  # 6 wide
        [39 - 1.5, 26 - h - 1.5, 45 + 1.5, 26 + h + 1.5],
        [28 - 3, 24 - 3, 36 + 3, 36 + 3],  # 12 high
        [24 - 4, 42 - 4, 40 + 4, 50 + 4],  # outer lip, 16 wide
    ]
    boxes = out['face_component_boxes']
    assert boxes.dtype == np.float32
    np.testing.assert_allclose(boxes, expected, atol=1e-4)
    half = targets(dict(img=image(), face_landmarks=hand_face()),
                   box_margin=0.0)['face_component_boxes']
    np.testing.assert_allclose(half[5], [24, 42, 40, 50], atol=1e-4)


def test_component_boxes_are_clipped_to_the_image():
    pts = hand_face() - [13, 0]  # brow_l from x = 1: margin 3 passes 0
    pts[:, 1] += 12  # mouth box to y = 66
    boxes = targets(dict(img=image(), face_landmarks=pts),
                    patch_size=8)['face_component_boxes']
    assert boxes[0, 0] == 0
    assert boxes[5, 3] == 64
    assert (boxes[:, 0::2] <= 64).all() and (boxes[:, 1::2] >= 0).all()


def patch_map():
    """An 8 x 8 map of four 4 x 4 patches with counts chosen by hand."""
    m = np.ones((8, 8), np.uint8)
    m[0, 0:4] = 4  # patch (0, 0): 4 of 16 eye pixels = 25%
    m[0, 4:7] = 6  # patch (0, 1): 3 of 16 nose pixels < 25%
    m[4:6, 0:4] = 0  # patch (1, 0): 10 background, 6 face
    m[6, 0:2] = 0
    m[4, 4:8] = 2  # patch (1, 1): 4 brow, 5 mouth, 7 face
    m[5, 4:8] = 7
    m[6, 4] = 7
    return m


def test_patch_labels_counted_by_hand():
    transform = TRANSFORMS.build(dict(type='FacePriorTargets', patch_size=4))
    labels = transform.patch_labels(patch_map())
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [[4, 1], [0, 7]])
    stricter = TRANSFORMS.build(
        dict(type='FacePriorTargets', patch_size=4, part_min_fraction=0.3))
    np.testing.assert_array_equal(
        stricter.patch_labels(patch_map()), [[1, 1], [0, 7]])
    # a part that is the mode wins anyway; the ragged edge is left out
    m = np.zeros((9, 10), np.uint8)
    m[:4, :4] = 5
    np.testing.assert_array_equal(stricter.patch_labels(m), [[5, 0], [0, 0]])


def test_patch_labels_of_the_hand_face():
    out = targets(dict(img=image(), face_landmarks=hand_face()), patch_size=4)
    labels = out['face_patch_labels']
    assert labels.shape == (16, 16)
    np.testing.assert_array_equal(labels, transform_labels(out))
    assert labels[26 // 4, 22 // 4] == PART_LABELS['eye_l']
    assert labels[46 // 4, 32 // 4] == PART_LABELS['mouth']
    assert labels[0, 0] == 0


def transform_labels(out):
    return TRANSFORMS.build(dict(type='FacePriorTargets', patch_size=4))\
        .patch_labels(out['face_part_map'])


def jittered_face():
    """The hand face, moved and jittered so that it is not symmetric."""
    rng = np.random.default_rng(3)
    return (hand_face() + [3.3, 1.7] +
            rng.uniform(-1, 1, (68, 2))).astype(np.float32)


def test_targets_after_a_flip_are_the_mirrored_targets():
    img, pts = image(), jittered_face()
    plain = targets(dict(img=img.copy(), face_landmarks=pts.copy()),
                    patch_size=8)
    flip = TRANSFORMS.build(dict(type='RandomFaceFlip', prob=1.0))
    flipped = targets(
        flip(dict(img=img.copy(), face_landmarks=pts.copy())), patch_size=8)
    # RandomFaceFlip maps x -> W - 1 - x, the mirror img[:, ::-1] is: the
    # flipped map is the mirrored map with left and right labels swapped
    # up to polygon rasterisation, which is not mirror-symmetric at edges
    # (about 1% of the pixels here, all on part borders)
    mirrored = SWAP[plain['face_part_map'][:, ::-1]]
    assert (flipped['face_part_map'] == mirrored).mean() >= 0.98
    # l/r labels do swap: an unswapped mirror disagrees on the parts
    assert (flipped['face_part_map'] ==
            plain['face_part_map'][:, ::-1]).mean() < 0.98

    boxes, flipped_boxes = (plain['face_component_boxes'],
                            flipped['face_component_boxes'])
    names = list(COMPONENTS)
    for left, right in (('eye_l', 'eye_r'), ('brow_l', 'brow_r')):
        for a, b in ((left, right), (right, left)):
            x1, y1, x2, y2 = boxes[names.index(b)]
            np.testing.assert_allclose(flipped_boxes[names.index(a)],
                                       [63 - x2, y1, 63 - x1, y2],
                                       atol=1e-4)
    for name in ('nose', 'mouth'):
        x1, y1, x2, y2 = boxes[names.index(name)]
        np.testing.assert_allclose(flipped_boxes[names.index(name)],
                                   [63 - x2, y1, 63 - x1, y2],
                                   atol=1e-4)

    heat, flipped_heat = plain['face_heatmaps'], flipped['face_heatmaps']
    order = np.arange(68)
    for a, b in FLIP_PAIRS_68:
        order[a], order[b] = b, a
    np.testing.assert_allclose(flipped_heat, heat[order][:, :, ::-1],
                               atol=1e-5)
    # and the swap matters: eye corners 36 and 45 differ
    assert not np.allclose(flipped_heat[36], heat[36][:, ::-1], atol=1e-2)


def test_targets_after_a_crop_follow_the_moved_landmarks():
    pts = jittered_face() * 1.5 + [20, 10]
    img = image((120, 140))
    crop = TRANSFORMS.build(dict(type='CropFaceBox', size=32, scale=1.25))
    results = crop(dict(img=img, face_landmarks=pts))
    moved = results['face_landmarks']
    matrix = results['face_crop_matrix']
    np.testing.assert_allclose(moved, pts @ matrix[:, :2].T + matrix[:, 2],
                               atol=1e-3)
    out = targets(results, patch_size=8)
    heat = out['face_heatmaps']
    assert heat.shape == (68, 4, 4)
    assert out['face_part_map'].shape == (32, 32)
    edge = (moved + 0.5) / 8
    away = (np.abs(edge - np.round(edge)) > 0.01).all(1)
    inside = ((moved >= 0) & (moved < 32)).all(1)
    assert (away & inside).sum() > 50
    for k in np.flatnonzero(away & inside):
        peak = np.unravel_index(heat[k].argmax(), heat[k].shape)
        assert peak == (int(edge[k, 1]), int(edge[k, 0])), k
    eye = np.round(moved[36:42].mean(0)).astype(int)
    assert out['face_part_map'][eye[1], eye[0]] == PART_LABELS['eye_l']


def test_missing_landmarks_raise_with_the_image_path():
    transform = TRANSFORMS.build(dict(type='FacePriorTargets'))
    with pytest.raises(ValueError, match='faces/0042.jpg'):
        transform(dict(img=image(), img_path='faces/0042.jpg'))
    with pytest.raises(ValueError, match='faces/0043.jpg'):
        transform(
            dict(img=image(), img_path='faces/0043.jpg', face_landmarks=None))
    with pytest.raises(ValueError, match=r'\(5, 2\)'):
        transform(dict(img=image(), face_landmarks=np.zeros((5, 2))))


def test_missing_landmarks_allowed_give_zero_targets():
    out = targets(
        dict(img=image((64, 48)), face_landmarks=None), allow_missing=True)
    assert out['face_prior_valid'] is False
    assert out['face_part_map'].shape == (64, 48)
    assert out['face_part_map'].dtype == np.uint8
    assert out['face_patch_labels'].shape == (4, 3)
    assert out['face_patch_labels'].dtype == np.int64
    assert out['face_heatmaps'].shape == (68, 4, 3)
    assert out['face_heatmaps'].dtype == np.float32
    assert out['face_component_boxes'].shape == (6, 4)
    assert out['face_component_names'] == COMPONENTS
    for key in ('face_part_map', 'face_patch_labels', 'face_heatmaps',
                'face_component_boxes'):
        assert not out[key].any(), key


def test_bad_arguments_and_repr():
    with pytest.raises(ValueError, match='patch_size'):
        TRANSFORMS.build(dict(type='FacePriorTargets', patch_size=0))
    with pytest.raises(ValueError, match='part_min_fraction'):
        TRANSFORMS.build(
            dict(type='FacePriorTargets', part_min_fraction=1.5))
    assert 'patch_size=14' in repr(
        TRANSFORMS.build(dict(type='FacePriorTargets', patch_size=14)))
