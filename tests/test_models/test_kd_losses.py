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


def test_rkd_hand_examples_with_a_duplicate_teacher_row():
    # Teacher rows 0 and 1 coincide; that pair is left out of the mean.
    t = torch.tensor([[0.0], [0.0], [2.0]])
    s = torch.tensor([[0.0], [1.0], [3.0]])
    # teacher distances (0, 2, 2) / 2 -> (0, 1, 1); student (1, 3, 2) / 2
    # -> (.5, 1.5, 1): smooth L1 0.125, 0.125, 0 per pair, twice, over 6.
    assert RelationalDistanceKD()(s, t).item() == pytest.approx(
        1 / 12, rel=1e-6)
    # Angles: the triplets using teacher pair (0, 1) are left out, which
    # keeps 1 + 1 + 4 of them. Only anchor 2 disagrees: the teacher's two
    # rays coincide (cosine 1), the student's are 45 degrees apart.
    t = torch.tensor([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    s = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    expected = 2 * 0.5 * (1 - 1 / math.sqrt(2))**2 / 6
    assert RelationalAngleKD()(s, t).item() == pytest.approx(
        expected, rel=1e-5)


def duplicate_rows_case():
    """Two identical teacher rows; the student's are 1e-4 apart."""
    gen = torch.Generator().manual_seed(0)
    t = torch.randn(8, 768, generator=gen) + 0.5
    t[1] = t[0]
    s = torch.randn(8, 384, generator=gen) + 0.5
    s[1] = s[0] + 1e-4 * torch.randn(384, generator=gen)
    return s, t


def duplicate_student_rows_case():
    gen = torch.Generator().manual_seed(6)
    t = torch.randn(6, 16, generator=gen)
    s = torch.randn(6, 8, generator=gen)
    s[3] = s[2]
    t[5] = t[4]
    return s, t


def zero_rows_case():
    gen = torch.Generator().manual_seed(7)
    t = torch.randn(6, 16, generator=gen)
    s = torch.randn(6, 8, generator=gen)
    s[:2] = 0
    t[4:] = 0
    return s, t


@pytest.mark.parametrize('loss_type',
                         [RelationalDistanceKD, RelationalAngleKD])
@pytest.mark.parametrize(
    'case', [duplicate_rows_case, duplicate_student_rows_case,
             zero_rows_case])
@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
def test_rkd_is_finite_and_bounded_on_degenerate_rows(loss_type, case,
                                                      dtype):
    s, t = case()
    s = s.to(dtype).requires_grad_(True)
    loss = loss_type(loss_weight=1.0)(s, t.to(dtype))
    assert loss.dtype == torch.float32
    assert torch.isfinite(loss) and 0 <= loss.item() < 2
    loss.backward()
    assert s.grad.dtype == dtype
    assert torch.isfinite(s.grad).all()
    assert s.grad.abs().max() < 1e3


@pytest.mark.parametrize('loss_type',
                         [RelationalDistanceKD, RelationalAngleKD])
def test_rkd_on_collapsed_batches(loss_type):
    loss = loss_type()
    # A student of all-zero rows: finite loss, no gradient to follow.
    s = torch.zeros(5, 8, requires_grad=True)
    value = loss(s, torch.randn(5, 4))
    value.backward()
    assert torch.isfinite(value) and value.item() > 0
    assert torch.equal(s.grad, torch.zeros_like(s))
    # A teacher with a single point has no geometry to transfer.
    s = torch.randn(5, 8, requires_grad=True)
    assert loss(s, torch.ones(5, 4)).item() == 0


def test_rkd_keeps_the_geometry_of_nearby_rows():
    # Two rows 1e-4 apart among rows 10 apart: a Gram matrix loses their
    # distance to cancellation, direct differences keep it, so the same
    # geometry (scaled and shifted) costs nothing.
    t = torch.tensor([[0.0, 0.0], [1e-4, 0.0], [10.0, 0.0], [0.0, 10.0]])
    s = 2 * t + 1
    assert RelationalAngleKD()(s, t).item() == pytest.approx(0, abs=1e-6)
    assert RelationalDistanceKD()(s, t).item() == pytest.approx(
        0, abs=1e-6)
