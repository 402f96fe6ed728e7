"""measure_face_framing: the crop scale of a set of face crops, measured."""
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from fbp_mm.datasets.transforms import CropFaceBox
from fbp_mm.faces import build_face_detector, measure_face_framing

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def crops_at(photos, folder, scale: float, size: int = 300) -> list:
    """Each photo's face cut out at ``scale`` times its HOG box, and its
    mirror, written to ``folder``."""
    detector = build_face_detector(dict(type='DlibHogFace'))
    folder.mkdir()
    paths = []
    for name, img in photos.items():
        x1, y1, x2, y2 = detector.detect(img)[0].box
        crop = CropFaceBox(size=size, scale=scale)(dict(
            img=img, face_box=np.array([x1, y1, x2 - 1, y2 - 1],
                                       np.float32)))['img']
        for flipped, pic in (('', crop), ('_flip', cv2.flip(crop, 1))):
            paths.append(str(folder / f'{name}{flipped}.png'))
            cv2.imwrite(paths[-1], pic)
    return paths


@pytest.mark.parametrize('scale', [1.6, 2.2])
def test_measures_the_scale_the_crops_were_made_at(photos, tmp_path, scale):
    crops_at(photos, tmp_path / 'crops', scale)
    framing = measure_face_framing(str(tmp_path / 'crops'))
    assert framing['measured'] == 4 and framing['no_face'] == 0
    # the detector finds nearly the same box in the crop as in the photo
    assert framing['scale'] == pytest.approx(scale, rel=0.08)
    assert max(abs(v) for v in framing['offset']) < 0.1
    assert framing['size'] == 300
    assert framing['face_preparation']['crop'] == dict(
        type='CropFaceBox', size=300, scale=round(framing['scale'], 2))


def test_tool_prints_the_face_preparation(photos, tmp_path):
    crops_at(photos, tmp_path / 'crops', 1.6)
    (tmp_path / 'crops' / 'empty.png').write_bytes(
        cv2.imencode('.png', np.full((300, 300, 3), 90, np.uint8))[1])
    out = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'analysis',
                                  'face_framing.py'), str(tmp_path / 'crops')],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.strip().split('\n')[-2:]
    assert '"measured": 4, "no_face": 1' in first
    assert second.startswith("face_preparation = {'detector': {'type': "
                             "'DlibHogFace', 'min_size': 40, "
                             "'min_score': 0.3}, 'crop': {'type': "
                             "'CropFaceBox', 'size': 300, 'scale': 1.")


def test_no_face_anywhere_is_an_error(tmp_path):
    path = tmp_path / 'flat.png'
    cv2.imwrite(str(path), np.full((200, 200, 3), 90, np.uint8))
    with pytest.raises(ValueError, match='No face found in any of the 1 '
                       'images measured'):
        measure_face_framing([str(path)])
