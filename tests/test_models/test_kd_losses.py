import math

import pytest
import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS

from fbp_mm.models.losses import (FeatureCosineKD, FeatureMSEKD,
                                  KLDivergenceKD, RelationalAngleKD,
                                  RelationalDistanceKD)


def test_kd_losses_are_registered_with_unique_names():
    types = ['KLDivergenceKD', 'FeatureMSEKD', 'FeatureCosineKD',
             'RelationalDistanceKD', 'RelationalAngleKD']
    losses = [MODELS.build(dict(type=t)) for t in types]
    names = [loss.loss_name for loss in losses]
    assert len(set(names)) == len(names)
    assert all(name.startswith('loss_kd_') for name in names)
    assert all(loss.loss_weight == 1.0 for loss in losses)
    custom = MODELS.build(
        dict(type='FeatureMSEKD', loss_weight=0.5, loss_name='loss_x'))
    assert (custom.loss_weight, custom.loss_name) == (0.5, 'loss_x')


def test_kl_at_temperature_one_matches_torch():
    torch.manual_seed(0)
    s, t = torch.randn(6, 5), torch.randn(6, 5)
    expected = F.kl_div(
        F.log_softmax(s, -1), F.softmax(t, -1), reduction='batchmean')
    assert KLDivergenceKD()(s, t).item() == pytest.approx(
        expected.item(), rel=1e-5)


def test_kl_scales_with_squared_temperature_and_weight():
    torch.manual_seed(1)
    s, t = torch.randn(4, 7), torch.randn(4, 7)
    soft = F.kl_div(
        F.log_softmax(s / 4, -1), F.softmax(t / 4, -1), reduction='batchmean')
    loss = KLDivergenceKD(temperature=4.0, loss_weight=0.5)(s, t)
    assert loss.item() == pytest.approx(0.5 * 16 * soft.item(), rel=1e-5)


def test_kl_is_zero_for_identical_logits_and_ignores_teacher_grad():
    s = torch.randn(3, 4, requires_grad=True)
    t = s.detach().clone().requires_grad_(True)
    loss = KLDivergenceKD(temperature=2.0)(s, t)
    assert loss.item() == pytest.approx(0.0, abs=1e-6)
    loss = KLDivergenceKD()(s, torch.randn(3, 4, requires_grad=True))
    loss.backward()
    assert s.grad is not None and s.grad.abs().sum() > 0


def test_kl_flattens_leading_dims_and_reductions():
    torch.manual_seed(2)
    s, t = torch.randn(2, 3, 5), torch.randn(2, 3, 5)
    rows = KLDivergenceKD(reduction='none')(s, t)
    assert rows.shape == (2, 3)
    assert KLDivergenceKD()(s, t).item() == pytest.approx(
        rows.mean().item(), rel=1e-5)
    assert KLDivergenceKD(reduction='sum')(s, t).item() == pytest.approx(
        rows.sum().item(), rel=1e-5)
    with pytest.raises(ValueError, match='same shape'):
        KLDivergenceKD()(s, torch.randn(2, 3, 4))


def test_feature_mse_matches_hand_value_and_normalisations():
    s = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    t = torch.tensor([[1.0, 0.0], [3.0, 6.0]])
    # squared errors 0, 4, 0, 4 -> mean 2
    assert FeatureMSEKD(loss_weight=2.0)(s, t).item() == pytest.approx(4.0)
    # 'l2' and 'channel' make the loss blind to the feature scale.
    feat = torch.randn(3, 8, 2, 2)
    for mode in ('l2', 'channel'):
        assert FeatureMSEKD(normalize=mode)(feat * 7, feat).item() < 1e-8
    assert FeatureMSEKD()(feat * 7, feat).item() > 1
    with pytest.raises(ValueError, match='connector'):
        FeatureMSEKD()(torch.randn(2, 16), torch.randn(2, 32))


def test_feature_cosine_values():
    feat = torch.randn(4, 6, 3, 3)
    assert FeatureCosineKD()(feat, feat).item() == pytest.approx(0, abs=1e-6)
    assert FeatureCosineKD()(3 * feat, feat).item() == pytest.approx(
        0, abs=1e-6)
    assert FeatureCosineKD()(-feat, feat).item() == pytest.approx(2.0)
    # per position: orthogonal at one of two positions -> mean 0.5
    s = torch.tensor([[[1.0, 1.0], [1.0, 0.0]]])  # (N=1, L=2, C=2)
    t = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    expected = ((1 - 1 / math.sqrt(2)) + 1) / 2
    assert FeatureCosineKD(mode='channel')(s, t).item() == pytest.approx(
        expected, rel=1e-5)


def test_rkd_distance_hand_example():
    t = torch.tensor([[0.0], [1.0], [2.0]])
    s = torch.tensor([[0.0], [1.0], [3.0]])
    # normalised distances: teacher (.75, 1.5, .75), student (.5, 1.5, 1)
    # smooth L1 of the 6 off-diagonal entries: 4 x 0.5 * 0.25^2 / 6
    assert RelationalDistanceKD()(s, t).item() == pytest.approx(
        4 * 0.5 * 0.0625 / 6, rel=1e-5)


def test_rkd_distance_is_scale_invariant_and_width_free():
    torch.manual_seed(3)
    t = torch.randn(8, 32)
    s = torch.randn(8, 16, 2, 2, requires_grad=True)
    loss = RelationalDistanceKD()
    base = loss(s, t)
    assert base.item() > 0
    assert loss(s * 5, t).item() == pytest.approx(base.item(), rel=1e-4)
    assert loss(s, t * 0.1).item() == pytest.approx(base.item(), rel=1e-4)
    assert loss(t * 3, t).item() == pytest.approx(0, abs=1e-6)
    base.backward()
    assert torch.isfinite(s.grad).all()
    assert loss(s[:1], t[:1]).item() == 0


def test_rkd_angle_hand_example():
    t = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # right angle
    s = torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])  # collinear
    # Per anchor, the two off-diagonal pairs differ by 1, 1 + 1/sqrt(2)
    # and 1 - 1/sqrt(2); smooth L1 sums to 2 * 1.75 over 3 * 2^2 triplets.
    assert RelationalAngleKD()(s, t).item() == pytest.approx(
        3.5 / 12, rel=1e-5)


def naive_angles(x):
    n = x.size(0)
    out = torch.zeros(n, n, n)
    for j in range(n):
        for i in range(n):
            for k in range(n):
                if i != j and k != j:
                    a, b = x[i] - x[j], x[k] - x[j]
                    out[j, i, k] = (a @ b) / (a.norm() * b.norm())
    return out


def test_rkd_angle_matches_naive_triplets_and_is_invariant():
    torch.manual_seed(4)
    s = torch.randn(5, 6, requires_grad=True)
    t = torch.randn(5, 9)
    expected = F.smooth_l1_loss(
        naive_angles(s.detach()), naive_angles(t), reduction='sum') / (5 * 16)
    loss = RelationalAngleKD()
    value = loss(s, t)
    assert value.item() == pytest.approx(expected.item(), rel=1e-4)
    assert loss(s * 4 + 2, t).item() == pytest.approx(value.item(), rel=1e-4)
    assert loss(t * 2, t).item() == pytest.approx(0, abs=1e-5)
    value.backward()
    assert torch.isfinite(s.grad).all() and s.grad.abs().sum() > 0
    assert loss(s[:2], t[:2]).item() == 0
