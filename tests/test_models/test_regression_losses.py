import pytest
import torch
from mmpretrain.registry import MODELS


def test_pointwise_losses_values():
    pred = torch.tensor([[1.0], [2.0], [4.0]])
    target = torch.tensor([[1.5], [2.0], [1.0]])
    mse = MODELS.build(dict(type='MSELoss', loss_weight=2.0))
    l1 = MODELS.build(dict(type='L1Loss'))
    huber = MODELS.build(dict(type='SmoothL1Loss', beta=1.0))
    assert mse(pred, target).item() == pytest.approx(2 * (0.25 + 9) / 3)
    assert l1(pred, target).item() == pytest.approx(3.5 / 3)
    assert huber(pred, target).item() == pytest.approx((0.125 + 2.5) / 3)
    # (N,) targets are matched to (N, 1) predictions
    assert mse(pred, target.flatten()).item() == pytest.approx(
        mse(pred, target).item())
    weighted = MODELS.build(dict(type='L1Loss', reduction='sum'))
    assert weighted(pred, target, weight=torch.tensor([1., 0., 0.])).item() \
        == pytest.approx(0.5)


def test_plcc_loss_is_scale_invariant_and_bounded():
    loss = MODELS.build(dict(type='PLCCLoss'))
    x = torch.tensor([1.0, 2.0, 3.0, 5.0])
    assert loss(x, 3 * x + 1).item() == pytest.approx(0.0, abs=1e-6)
    assert loss(x, -x).item() == pytest.approx(1.0, abs=1e-6)
    # constant predictions: finite, half-way
    assert loss(torch.ones(4), x).item() == pytest.approx(0.5)
    assert loss(x[:1], x[:1]).item() == 0.0


def test_plcc_loss_gradient_raises_correlation():
    torch.manual_seed(0)
    target = torch.randn(32)
    pred = torch.randn(32, requires_grad=True)
    loss = MODELS.build(dict(type='PLCCLoss'))
    opt = torch.optim.Adam([pred], lr=0.1)
    before = loss(pred, target).item()
    for _ in range(20):
        opt.zero_grad()
        loss(pred, target).backward()
        opt.step()
    assert loss(pred, target).item() < before / 2


def test_rank_loss_penalises_wrong_order_only():
    loss = MODELS.build(dict(type='PairwiseRankLoss'))
    target = torch.tensor([1.0, 2.0, 3.0])
    assert loss(torch.tensor([0.1, 0.2, 0.9]), target).item() == 0.0
    assert loss(torch.tensor([3.0, 2.0, 1.0]), target).item() == \
        pytest.approx(8 / 6)
    margin = MODELS.build(dict(type='PairwiseRankLoss', margin=1.0))
    # correct order but closer than the margin
    assert margin(torch.tensor([0.0, 0.5]), torch.tensor([0.0, 1.0])).item() \
        == pytest.approx(0.5)
    # only ties: nothing to rank
    assert loss(torch.tensor([1.0, 0.0]), torch.ones(2)).item() == 0.0


def test_reduction_validation():
    with pytest.raises(ValueError, match='reduction'):
        MODELS.build(dict(type='MSELoss', reduction='avg'))
