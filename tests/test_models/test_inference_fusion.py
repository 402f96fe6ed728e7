"""Inference-only rewrites: same scores, less work per call."""
import copy

import pytest
import torch
from mmpretrain.models.backbones import ConvNeXt, EdgeNeXt
from mmpretrain.models.backbones.convnext import ConvNeXtBlock
from mmpretrain.models.backbones.edgenext import SDTAEncoder
from mmpretrain.models.utils import PositionEncodingFourier

from torch.overrides import TorchFunctionMode

from fbp_mm.models.utils import (CachedPositionEncodingFourier,
                                 cache_position_encodings, fold_layer_scales,
                                 fuse_for_inference)


def _edgenext(seed=0):
    torch.manual_seed(seed)
    net = EdgeNeXt('xxsmall', gap_before_final_norm=True)
    with torch.no_grad():  # layer scales far from their 1e-6 start
        for block in net.modules():
            if isinstance(block, (ConvNeXtBlock, SDTAEncoder)):
                block.gamma.uniform_(0.5, 2.0)
    net.eval()
    return net


def _torch_calls(net, x):
    """Names of the torch functions one call of ``net`` runs."""
    calls = []

    class Record(TorchFunctionMode):

        def __torch_function__(self, func, types, args=(), kwargs=None):
            calls.append(getattr(func, '__name__', str(func)))
            return func(*args, **(kwargs or {}))

    with torch.no_grad(), Record():
        net(x)
    return calls


def test_fused_edgenext_gives_the_same_scores_with_fewer_products():
    net = _edgenext()
    fused = copy.deepcopy(net)
    counts = fuse_for_inference(fused)
    # 9 convolution blocks and 3 SDTA blocks of XX-small; one encoding
    # (the second stage's SDTA block; the global one is off)
    assert counts == dict(
        layer_scales=12, position_encodings=1, batch_norms=0)
    assert all(block.gamma is None for block in fused.modules()
               if isinstance(block, (ConvNeXtBlock, SDTAEncoder)))
    x = torch.randn(2, 3, 96, 96)
    before = _torch_calls(net, x)
    # first call: the encoding is computed (and kept); each folded scale
    # was one elementwise product per call
    first = _torch_calls(fused, x)
    assert before.count('mul') - first.count('mul') == 12
    assert 'sin' in before and 'sin' in first
    # later calls take the encoding from the cache: no sines, and neither
    # its two products
    again = _torch_calls(fused, x)
    assert 'sin' not in again and 'cumsum' not in again
    assert first.count('mul') - again.count('mul') == 2
    assert len(again) < len(before) - 30
    with torch.no_grad():
        torch.testing.assert_close(fused(x)[-1], net(x)[-1], rtol=1e-4,
                                   atol=1e-5)
    # the state dict is the network's, less the folded scales
    missing = set(net.state_dict()) - set(fused.state_dict())
    assert len(missing) == 12 and all(k.endswith('.gamma') for k in missing)
    assert set(fused.state_dict()) < set(net.state_dict())


def test_layer_scales_of_convnext_with_1x1_convolutions_fold():
    torch.manual_seed(0)
    net = ConvNeXt(arch={'depths': [1, 1], 'channels': [8, 16]},
                   linear_pw_conv=False, layer_scale_init_value=0.7,
                   out_indices=(1, ))
    net.eval()
    x = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        expected = net(x)[-1]
        assert fold_layer_scales(net) == 2
        torch.testing.assert_close(net(x)[-1], expected, rtol=1e-4,
                                   atol=1e-5)
        assert fold_layer_scales(net) == 0  # nothing left to fold


def test_cached_position_encoding_is_computed_once_per_shape():
    torch.manual_seed(0)
    encoding = PositionEncodingFourier(embed_dims=8)
    reference = copy.deepcopy(encoding).eval()
    assert cache_position_encodings(encoding) == 1
    assert type(encoding) is CachedPositionEncodingFourier
    encoding.eval()
    with torch.no_grad():
        first = encoding((1, 5, 6))
        assert encoding((1, 5, 6)) is first
        torch.testing.assert_close(first, reference((1, 5, 6)))
        other = encoding((2, 5, 6))
        assert other is not first and other.shape == (2, 8, 5, 6)
        # new weights (in place, as load_state_dict copies them): anew
        encoding.proj.weight.mul_(2)
        changed = encoding((1, 5, 6))
        assert changed is not first
        assert not torch.allclose(changed, first)
    # under autocast the encoding has autocast's dtype: another entry
    with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
        half = encoding((1, 5, 6))
        assert half.dtype == torch.bfloat16
        assert encoding((1, 5, 6)) is half
    with torch.no_grad():
        assert encoding((1, 5, 6)).dtype == torch.float32
    # with gradients or in training mode it is computed live every call
    live = encoding((1, 5, 6))
    assert live.requires_grad and live is not encoding((1, 5, 6))
    encoding.train()
    with torch.no_grad():
        assert encoding((1, 5, 6)) is not encoding((1, 5, 6))


def test_cached_encoding_keeps_a_bounded_number_of_shapes():
    from fbp_mm.models.utils.inference_fusion import MAX_CACHED_SHAPES
    encoding = CachedPositionEncodingFourier(embed_dims=8).eval()
    with torch.no_grad():
        for side in range(2, 3 + 2 * MAX_CACHED_SHAPES):
            encoding((1, side, side))
    assert 0 < len(encoding.__dict__['_encodings']) <= MAX_CACHED_SHAPES


@pytest.mark.parametrize('batch_size', [None, 2])
def test_fused_student_exports_to_onnx_for_any_batch(tmp_path, batch_size):
    """Tracing computes the encoding live: a dynamic batch stays dynamic."""
    import onnxruntime as ort

    from fbp_mm.apis.onnx_export import ScoringNetwork, export_onnx

    class Scorer(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.backbone = _edgenext()
            self.head = torch.nn.Linear(168, 1)

        def forward(self, x, mode='tensor'):
            return self.head(self.backbone(x)[-1])

    scorer = Scorer()
    network = ScoringNetwork(scorer, fuse=True).eval()
    assert network.fused == dict(
        layer_scales=12, position_encodings=1, batch_norms=0)
    # the scorer given was copied, not changed
    assert scorer.backbone.stages[0][0].gamma is not None
    with torch.no_grad():  # encodings of every batch size in the cache
        for n in range(1, 5):
            network(torch.rand(n, 3, 64, 64) * 255)
    path = export_onnx(network, str(tmp_path / 'fused.onnx'), 64,
                       batch_size=batch_size)
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    for n in ([3, 1] if batch_size is None else [2]):
        x = torch.rand(n, 3, 64, 64) * 255
        with torch.no_grad():
            expected = network(x).numpy()
        got = session.run(None, {'inputs': x.numpy()})[0]
        assert abs(got - expected).max() < 1e-4


def _foldable_backbones():
    from mmpretrain.models import backbones as b
    small = dict(stem_channels=8, base_channels=8)
    return [
        b.ResNet(18, **small),
        b.ResNetV1c(depth=18, **small),  # deep stem of ConvModules
        b.ResNetV1d(depth=50, **small),  # pooled shortcut, bottlenecks
        b.ResNeXt(depth=50, groups=2, width_per_group=4, **small),
        b.SEResNet(depth=50, **small),
        b.SEResNeXt(depth=50, groups=2, width_per_group=4, **small),
        b.ResNet_CIFAR(depth=18, **small),
    ]


def _random_statistics(net, seed=0):
    """Running statistics and affine parameters as after training."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for norm in net.modules():
            if isinstance(norm, torch.nn.modules.batchnorm._BatchNorm):
                shape = norm.running_mean.shape
                norm.running_mean.normal_(0, 0.5, generator=generator)
                norm.running_var.uniform_(0.5, 2.0, generator=generator)
                norm.weight.copy_(torch.rand(shape, generator=generator) + .5)
                norm.bias.normal_(0, 0.2, generator=generator)


@pytest.mark.parametrize('index', range(7))
def test_batch_norms_of_each_listed_resnet_fold_exactly(index):
    from fbp_mm.models.utils import BATCH_NORM_FOLDABLE, fold_batch_norms
    torch.manual_seed(index)
    net = _foldable_backbones()[index]
    assert type(net) is BATCH_NORM_FOLDABLE[index]
    _random_statistics(net, seed=index)
    net.eval()
    norms = sum(isinstance(m, torch.nn.BatchNorm2d) for m in net.modules())
    fused = copy.deepcopy(net)
    assert fold_batch_norms(fused) == norms > 10
    assert not any(isinstance(m, torch.nn.BatchNorm2d)
                   for m in fused.modules())
    x = torch.randn(2, 3, 48, 48)
    with torch.no_grad():
        before, after = net(x)[-1], fused(x)[-1]
    assert before.abs().mean() > 0.1
    torch.testing.assert_close(after, before, rtol=1e-4, atol=1e-5)


def test_batch_norms_elsewhere_are_left_alone():
    """MMCV's fuse_conv_bn pairs a norm with the convolution registered
    before it: wrong for a norm that runs first, so only the listed
    backbones are folded."""
    from mmcv.cnn import ConvModule, fuse_conv_bn

    from fbp_mm.models.utils import fold_batch_norms, fuse_for_inference
    torch.manual_seed(0)
    pre_norm = torch.nn.Sequential(
        ConvModule(4, 4, 3, padding=1, norm_cfg=dict(type='BN'),
                   order=('norm', 'conv', 'act')))
    _random_statistics(pre_norm)
    pre_norm.eval()
    x = torch.randn(1, 4, 8, 8)
    with torch.no_grad():
        before = pre_norm(x)
        assert not torch.allclose(fuse_conv_bn(copy.deepcopy(pre_norm))(x),
                                  before, atol=1e-3)
        assert fold_batch_norms(pre_norm) == 0
        assert fuse_for_inference(pre_norm)['batch_norms'] == 0
        assert torch.equal(pre_norm(x), before)
