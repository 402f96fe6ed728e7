"""LandmarkRegressionHead: normalised targets, pixel predictions, training
and its use inside MMPretrain's ImageClassifier."""
import numpy as np
import pytest
import torch
from mmengine.dataset import pseudo_collate
from mmpretrain.registry import MODELS, TRANSFORMS
from mmpretrain.structures import DataSample

K = 3
# (H, W) = (100, 200): x is normalised by 200, y by 100
GT = np.array([[50, 20], [100, 50], [150, 80]], np.float32)
GT_NORM = GT / np.array([200, 100], np.float32)


def build(**cfg):
    cfg = dict(type='LandmarkRegressionHead', in_channels=4,
               num_landmarks=K, **cfg)
    return MODELS.build(cfg)


def samples(points, img_shape=(100, 200), tensor=False):
    out = []
    for p in points:
        s = DataSample(metainfo=dict(img_shape=img_shape))
        s.set_field(torch.from_numpy(p) if tensor else p, 'face_landmarks')
        out.append(s)
    return out


def set_constant_output(head, values):
    """Make the head output ``values`` (K*2 normalised) for every input."""
    layer = head.layers[-1]
    with torch.no_grad():
        layer.weight.zero_()
        layer.bias.copy_(torch.as_tensor(values, dtype=torch.float32))


def test_loss_is_zero_for_a_perfect_prediction_and_grows_with_error():
    head = build()
    feats = (torch.randn(2, 4), )
    for tensor in (False, True):
        data = samples([GT, GT], tensor=tensor)
        set_constant_output(head, GT_NORM.reshape(-1))
        losses = head.loss(feats, data)
        assert set(losses) == {'loss_l1'}
        assert losses['loss_l1'].item() == pytest.approx(0.0, abs=1e-7)
    for delta in (0.01, 0.05):
        set_constant_output(head, GT_NORM.reshape(-1) + delta)
        loss = head.loss(feats, samples([GT, GT]))['loss_l1'].item()
        assert loss == pytest.approx(delta, rel=1e-4)


def test_loss_uses_each_samples_image_size():
    head = build()
    set_constant_output(head, GT_NORM.reshape(-1))
    # the same points in a twice as large image are half as far
    data = samples([GT * 2], img_shape=(200, 400))
    assert head.loss((torch.randn(1, 4), ), data)['loss_l1'].item() == \
        pytest.approx(0.0, abs=1e-7)
    data = samples([GT], img_shape=(200, 400))
    expected = np.abs(GT / [400, 200] - GT_NORM).mean()
    assert head.loss((torch.randn(1, 4), ), data)['loss_l1'].item() == \
        pytest.approx(expected, rel=1e-5)


def test_predict_returns_input_pixel_coordinates():
    head = build(input_size=(50, 60))
    set_constant_output(head, GT_NORM.reshape(-1))
    feats = (torch.randn(2, 4, 3, 3), )  # pooled over space
    out = head.predict(feats, samples([GT, GT]))
    assert len(out) == 2
    for sample in out:
        assert isinstance(sample.pred_landmarks, torch.Tensor)
        assert sample.pred_landmarks.shape == (K, 2)
        np.testing.assert_allclose(sample.pred_landmarks.numpy(), GT,
                                   rtol=1e-5)
    # without data samples (or img_shape) the input_size (H, W) is used
    out = head.predict(feats)
    np.testing.assert_allclose(out[0].pred_landmarks.numpy(),
                               GT_NORM * [60, 50], rtol=1e-5)
    with pytest.raises(ValueError, match='input_size'):
        build().predict(feats)


def test_hidden_layer_tuple_input_and_shape_errors():
    head = build(hidden_channels=8)
    assert [type(m).__name__ for m in head.layers] == [
        'Linear', 'GELU', 'Linear'
    ]
    out = head((torch.randn(5, 7), torch.randn(5, 6, 4)))  # last item used
    assert out.shape == (5, K, 2)
    with pytest.raises(ValueError, match=r'\(3, 2\)'):
        head.loss((torch.randn(1, 4), ), samples([GT[:2]]))
    with pytest.raises(KeyError, match='face_landmarks'):
        head.loss((torch.randn(1, 4), ),
                  [DataSample(metainfo=dict(img_shape=(10, 10)))])


def test_a_few_optimizer_steps_lower_the_loss():
    torch.manual_seed(0)
    feats = (torch.randn(8, 4), )
    rng = np.random.default_rng(0)
    points = [(GT + rng.uniform(-10, 10, GT.shape)).astype(np.float32)
              for _ in range(8)]
    data = samples(points)
    head = build(hidden_channels=16)
    head.init_weights()
    opt = torch.optim.Adam(head.parameters(), lr=1e-2)
    history = []
    for _ in range(30):
        opt.zero_grad()
        loss = head.loss(feats, data)['loss_l1']
        loss.backward()
        opt.step()
        history.append(loss.item())
    assert history[-1] < 0.2 * history[0]


def test_works_inside_image_classifier():
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='ImageClassifier',
            backbone=dict(type='LeNet5'),
            head=dict(
                type='LandmarkRegressionHead', in_channels=120,
                num_landmarks=K)))
    pipeline = [
        TRANSFORMS.build(dict(type='CropFaceBox', size=32, scale=1.25)),
        TRANSFORMS.build(
            dict(type='PackInputs', algorithm_keys=['face_landmarks'])),
    ]
    batch = []
    for i in range(2):
        results = dict(
            img=np.full((100, 200), 40 * i, np.uint8),  # LeNet5: gray
            face_landmarks=GT.copy(), img_path=f'{i}.jpg')
        for t in pipeline:
            results = t(results)
        batch.append(results)
    data = model.data_preprocessor(pseudo_collate(batch), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_l1'} and losses['loss_l1'].item() > 0
    # the targets are the cropped points over the 32-pixel crop
    set_constant_output(model.head, np.full(K * 2, 0.5))
    cropped = batch[0]['data_samples'].face_landmarks
    expected = np.abs(cropped / 32 - 0.5).mean()
    assert model(**data, mode='loss')['loss_l1'].item() == pytest.approx(
        expected, rel=1e-5)
    preds = model(**model.data_preprocessor(pseudo_collate(batch)),
                  mode='predict')
    assert preds[0].img_path == '0.jpg'
    for p in preds:
        np.testing.assert_allclose(p.pred_landmarks.numpy(),
                                   np.full((K, 2), 16.0))
