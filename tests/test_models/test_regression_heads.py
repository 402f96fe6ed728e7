import pytest
import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


def samples(scores):
    return [DataSample().set_gt_score(s) for s in scores]


def test_regression_head_pools_any_feature_layout():
    head = MODELS.build(dict(type='RegressionHead', in_channels=8))
    for feat in (torch.randn(4, 8), torch.randn(4, 8, 3, 3),
                 torch.randn(4, 5, 8)):
        assert head((feat, )).shape == (4, 1)


def test_regression_head_combines_weighted_losses():
    head = MODELS.build(
        dict(
            type='RegressionHead',
            in_channels=8,
            loss=[
                dict(type='MSELoss', loss_weight=1.0),
                dict(type='PLCCLoss', loss_weight=0.5),
            ]))
    feats = (torch.randn(6, 8), )
    losses = head.loss(feats, samples([[float(i)] for i in range(6)]))
    assert set(losses) == {'loss_mse', 'loss_plcc'}
    pred = head(feats).detach()
    target = torch.arange(6.0).reshape(6, 1)
    assert losses['loss_mse'].item() == pytest.approx(
        ((pred - target)**2).mean().item(), rel=1e-5)


def test_regression_head_learns_a_linear_score():
    torch.manual_seed(0)
    x = torch.randn(64, 8)
    y = x @ torch.linspace(-1, 1, 8) + 3.0
    head = MODELS.build(
        dict(type='RegressionHead', in_channels=8, hidden_channels=(16, )))
    opt = torch.optim.Adam(head.parameters(), lr=1e-2)
    data = samples(y.reshape(-1, 1).tolist())
    for _ in range(300):
        opt.zero_grad()
        sum(head.loss((x, ), data).values()).backward()
        opt.step()
    pred = torch.cat([s.pred_score for s in head.predict((x, ))])
    assert torch.corrcoef(torch.stack([pred, y]))[0, 1] > 0.95
    assert (pred - y).abs().mean() < 0.3


def test_score_range_bounds_outputs():
    head = MODELS.build(
        dict(type='RegressionHead', in_channels=4, score_range=(1, 5)))
    out = head((torch.randn(100, 4) * 100, ))
    assert out.min() >= 1 and out.max() <= 5
    with pytest.raises(ValueError, match='score_range'):
        MODELS.build(
            dict(type='RegressionHead', in_channels=4, score_range=(5, 1)))


def test_multi_output_and_shape_mismatch():
    head = MODELS.build(
        dict(type='RegressionHead', in_channels=4, num_outputs=3))
    preds = head.predict((torch.randn(2, 4), ))
    assert preds[0].pred_score.shape == (3, )
    with pytest.raises(ValueError, match='num_outputs'):
        head.loss((torch.randn(2, 4), ), samples([[1.0], [2.0]]))


def test_missing_gt_score_message():
    head = MODELS.build(dict(type='RegressionHead', in_channels=4))
    data = [DataSample().set_gt_label(1), DataSample().set_gt_label(2)]
    with pytest.raises(KeyError, match='gt_score'):
        head.loss((torch.randn(2, 4), ), data)


def test_distribution_head_expectation_and_label_distribution():
    head = MODELS.build(
        dict(
            type='DistributionRegressionHead',
            in_channels=4,
            score_range=(1, 5),
            num_bins=9,
            label_sigma=0.3))
    dist = head.label_distribution(torch.tensor([[3.0]]))
    assert dist.sum().item() == pytest.approx(1.0)
    assert dist.argmax().item() == 4  # bin centre 3.0
    # logits that put all mass on one bin give that bin's centre
    logits = torch.full((1, 9), -50.0)
    logits[0, 6] = 50.0
    assert head.scores_from_output(logits).item() == pytest.approx(4.0)
    out = head.predict((torch.randn(3, 4), ))
    assert out[0].pred_score.shape == (1, )
    assert out[0].pred_distribution.shape == (9, )
    assert 1 <= out[0].pred_score.item() <= 5


def test_distribution_head_learns_scores():
    torch.manual_seed(0)
    x = torch.randn(64, 6)
    y = (3 + x[:, 0]).clamp(1, 5)
    head = MODELS.build(
        dict(type='DistributionRegressionHead', in_channels=6,
             hidden_channels=(32, )))
    opt = torch.optim.Adam(head.parameters(), lr=1e-2)
    data = samples(y.reshape(-1, 1).tolist())
    for _ in range(300):
        opt.zero_grad()
        losses = head.loss((x, ), data)
        assert set(losses) == {'loss_mse', 'loss_dist'}
        sum(losses.values()).backward()
        opt.step()
    pred = torch.cat([s.pred_score for s in head.predict((x, ))])
    assert (pred - y).abs().mean() < 0.25
