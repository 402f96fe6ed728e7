"""The web demo's scoring function on a real photo (no web package)."""
import os.path as osp

import numpy as np
import pytest
import torch
from skimage import data

from fbp_mm.apis import FaceScoreInferencer
from fbp_mm.apis.web_demo import score_photo

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'fbp',
                  'resnet18-w16_1xb32-20e_demo-faces.py')


def test_score_photo_gives_each_face_a_score_per_model():
    torch.manual_seed(0)
    beauty = FaceScoreInferencer(CONFIG)
    torch.manual_seed(1)
    quality = FaceScoreInferencer(CONFIG)
    photo = data.astronaut()  # RGB, as a web page hands it over
    pair = np.concatenate([photo, photo[:, ::-1]], axis=1)
    picture, rows = score_photo(pair, {'beauty': beauty,
                                       'quality': quality})
    assert [r['face'] for r in rows] == [1, 2]
    expected = beauty(np.ascontiguousarray(pair[..., ::-1]))[0]['faces']
    for row, face in zip(rows, expected):
        assert row['box'] == pytest.approx(face['box'], abs=0.05)
        assert row['beauty'] == pytest.approx(face['score'], abs=1e-4)
        assert row['quality'] != row['beauty']  # another model
    assert picture.shape == pair.shape and (picture != pair).any()
    # a photo without a face: no rows, the photo with "no face" on it
    picture, rows = score_photo(data.coffee(), {'beauty': beauty})
    assert rows == [] and picture.shape == data.coffee().shape
    with pytest.raises(ValueError, match='at least one scorer'):
        score_photo(photo, {})
