"""FaceFeatureExtractor: one embedding per face from pretrained models."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from skimage import data

from fbp_mm.apis import FaceFeatureExtractor, pool_features

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MAE = osp.join(REPO_ROOT, 'configs', 'fbp', 'demo',
               'mae_vit-tiny-p8_1xb64-8e_demo-faces.py')
PROS = osp.join(REPO_ROOT, 'configs', 'pros', 'demo',
                'pros_vit-tiny-p8_1xb64-8e_demo-faces.py')


def test_mae_embedding_is_the_mean_token_of_the_unmasked_encoder():
    torch.manual_seed(0)
    extractor = FaceFeatureExtractor(MAE, detect=False)
    img = np.ascontiguousarray(data.astronaut()[..., ::-1])
    face = extractor(img)[0]['faces'][0]
    assert face['embedding'].shape == (32, )  # the demo student's width
    # by hand: resize to the 64 px of the config, normalise, no mask
    x = cv2.resize(img, (64, 64), interpolation=cv2.INTER_LINEAR)
    x = torch.from_numpy(x[..., ::-1].copy()).permute(2, 0, 1).float()
    pre = extractor.model.data_preprocessor
    x = (x - pre.mean.view(3, 1, 1)) / pre.std.view(3, 1, 1)
    with torch.no_grad():
        tokens = extractor.model.backbone(x[None], mask=None)[0]
    np.testing.assert_allclose(face['embedding'], tokens.mean(1)[0].numpy(),
                               atol=1e-5)


def test_pros_embeddings_per_face_batched_and_normalised():
    torch.manual_seed(0)
    extractor = FaceFeatureExtractor(PROS, normalize=True)
    astronaut = np.ascontiguousarray(data.astronaut()[..., ::-1])
    pair = np.concatenate([astronaut, astronaut[:, ::-1]], axis=1)
    one, two = extractor([astronaut, pair], batch_size=3)
    assert len(one['faces']) == 1 and len(two['faces']) == 2
    for face in one['faces'] + two['faces']:
        assert face['embedding'].shape == (64, )
        assert np.linalg.norm(face['embedding']) == pytest.approx(1, 1e-5)
    # the same face alone and in a batch
    np.testing.assert_allclose(
        extractor(astronaut, batch_size=1)[0]['faces'][0]['embedding'],
        one['faces'][0]['embedding'], atol=1e-5)
    left = min(two['faces'], key=lambda f: f['box'][0])
    assert left['box'] == one['faces'][0]['box']
    np.testing.assert_allclose(left['embedding'],
                               one['faces'][0]['embedding'], atol=1e-5)


def test_pool_features():
    assert pool_features(torch.ones(2, 4, 3, 3) * 2).tolist() == \
        [[2.0] * 4] * 2
    assert pool_features([torch.zeros(1, 2), torch.arange(6.).view(
        1, 3, 2)]).tolist() == [[2.0, 3.0]]
    with pytest.raises(ValueError, match='shape'):
        pool_features(torch.zeros(2))
