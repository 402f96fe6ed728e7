"""Every face backend finds the face in real photos, and nothing in
blank or noise images."""
import sys

import numpy as np
import pytest

from fbp_mm.faces import FaceDetection, build_face_detector

BACKENDS = ['HaarFace', 'DlibHogFace', 'DlibCnnFace']


@pytest.mark.parametrize('backend', BACKENDS)
def test_each_backend_finds_the_face_around_its_landmarks(
        backend, photos, landmarks):
    detector = build_face_detector(dict(type=backend))
    for name, img in photos.items():
        faces = detector.detect(img)
        assert len(faces) == 1, (name, faces)
        x1, y1, x2, y2 = faces[0].box
        pts = landmarks[name]
        # eyes, nose tip and mouth corners inside the box; the box is a
        # face's size (a fifth to a half of these portraits)
        for point in (pts[36:42].mean(0), pts[42:48].mean(0), pts[30],
                      pts[48], pts[54]):
            assert x1 <= point[0] <= x2 and y1 <= point[1] <= y2, (name,
                                                                    point)
        assert 0.15 * img.shape[1] < x2 - x1 < 0.5 * img.shape[1]


@pytest.mark.parametrize('backend', BACKENDS)
def test_no_face_is_an_empty_list(backend):
    detector = build_face_detector(dict(type=backend))
    rng = np.random.default_rng(0)
    assert detector.detect(np.zeros((120, 160, 3), np.uint8)) == []
    assert detector.detect(rng.integers(0, 256, (120, 160, 3), np.uint8)) == []
    assert detector.detect(np.full((90, 90), 200, np.uint8)) == []  # grey


def test_filters_and_order(photos):
    img = photos['astronaut']
    everything = build_face_detector(dict(type='DlibHogFace', min_score=-1.0))
    found = everything.detect(img)
    assert [f.score for f in found] == sorted(
        (f.score for f in found), reverse=True)
    assert build_face_detector(
        dict(type='DlibHogFace', min_size=int(found[0].size) + 1)).detect(
            img) == []
    assert build_face_detector(
        dict(type='DlibHogFace', min_score=found[0].score + 0.01)).detect(
            img) == []
    box = FaceDetection((10.0, 20.0, 50.0, 90.0), 1.0)
    assert box.size == 40.0


def test_bad_input_and_missing_backend_say_what_to_do(monkeypatch):
    detector = build_face_detector(dict(type='HaarFace'))
    with pytest.raises(ValueError, match=r'takes a uint8 H x W \(grey\) or '
                       r'H x W x 3 \(BGR\) image, got a float32 array of '
                       r'shape \(4, 4, 3\)'):
        detector.detect(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(ValueError, match='got a str'):
        detector.detect('face.jpg')
    with pytest.raises(FileNotFoundError, match='No Haar cascade at'):
        build_face_detector(dict(type='HaarFace', cascade='nope.xml'))
    monkeypatch.setitem(sys.modules, 'dlib', None)
    with pytest.raises(ImportError, match=r'need `dlib-bin` and '
                       r'`face-recognition-models`: pip install -r '
                       r'requirements/face.txt'):
        build_face_detector(dict(type='DlibHogFace'))


def test_mmdet_backend_without_mmdet_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, 'mmdet', None)
    monkeypatch.setitem(sys.modules, 'mmdet.apis', None)
    with pytest.raises(ImportError, match=r'MMDetFace needs mmdet and full '
                       r'mmcv with ops: pip install -r requirements/det.txt'):
        build_face_detector(
            dict(type='MMDetFace', config='x.py', checkpoint='x.pth'))


def test_mmdet_backend_finds_the_face(photos):
    pytest.importorskip(
        'mmdet', reason='mmdet is optional (requirements/det.txt, needs full '
        'mmcv with compiled ops)')
    import os
    config = os.environ.get('FBP_MM_MMDET_FACE_CONFIG')
    checkpoint = os.environ.get('FBP_MM_MMDET_FACE_CHECKPOINT')
    if not (config and checkpoint):
        pytest.skip('set FBP_MM_MMDET_FACE_CONFIG and '
                    'FBP_MM_MMDET_FACE_CHECKPOINT to a face detector')
    detector = build_face_detector(
        dict(type='MMDetFace', config=config, checkpoint=checkpoint))
    faces = detector.detect(photos['grace_hopper'])
    assert faces and faces[0].score >= 0.5
