"""The recipe stage that writes 68 landmarks for a folder of faces."""
import os.path as osp

import numpy as np

from fbp_mm.datasets.annotations import read_landmarks
from fbp_mm.engine.recipe import RECIPE_STAGES
from fbp_mm.engine.recipe.fingerprint import FileHasher


def test_landmarks_stage_writes_the_faces_landmarks(tmp_path):
    from fbp_mm.generators import generate_demo_faces
    faces = str(tmp_path / 'faces')
    generate_demo_faces(faces, num_labeled=5, num_unlabeled=6, size=128,
                        seed=0)
    truth = read_landmarks(osp.join(faces, 'landmarks.txt'))
    stage = RECIPE_STAGES.build(
        dict(type='landmarks', name='landmarks',
             source=osp.join(faces, 'unlabeled')))
    before = stage.fingerprint(FileHasher())
    out = stage.run(str(tmp_path / 'stage'), resume=False)
    found = read_landmarks(out['landmark_file'])
    assert out['landmark_file'] == str(tmp_path / 'stage' / 'landmarks.txt')
    assert 3 <= len(found) <= 6  # dlib HOG finds most drawn faces
    # dlib's model is of real faces: on drawn ones it is close, not exact
    # (measured: 0.14-0.41 of the inter-ocular distance, median 0.18)
    errors = []
    for name, points in found.items():
        expected = truth[f'unlabeled/{name}']
        inter_ocular = np.linalg.norm(expected[36:42].mean(0) -
                                      expected[42:48].mean(0))
        errors.append(
            np.linalg.norm(points - expected, axis=1).mean() / inter_ocular)
    assert np.median(errors) < 0.25 and max(errors) < 0.5, errors
    # a log beside the images changes nothing; another image does
    (tmp_path / 'faces' / 'unlabeled' / 'stage.log').write_text('x')
    assert stage.fingerprint(FileHasher()) == before
    (tmp_path / 'faces' / 'unlabeled' / 'extra.png').write_bytes(b'1')
    assert stage.fingerprint(FileHasher()) != before
