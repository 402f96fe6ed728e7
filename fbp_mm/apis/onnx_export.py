# Copyright (c) fbp_mm contributors. All rights reserved.
"""The deployed network of a config as an ONNX model, checked and timed.

:func:`export_onnx` writes the network that scores faces at test time (a
distiller's student, any score regressor) with its data preprocessor's
normalisation and channel order inside the graph: the ONNX input is what
the test pipeline packs, a float ``(N, 3, H, W)`` batch of 0-255 pixels in
the loader's (BGR) channel order, and the output is the scores
``(N, outputs)``. :func:`check_onnx` compares ONNX Runtime's output with
PyTorch's; :func:`compare_speed` times both on the CPU.

Example:
    >>> # export_onnx('configs/fiqa/edgenext-xxsmall_1xb32-30e_fiqa-352px_'
    >>> #             'student.py', 'student.pth', 'student.onnx')
    >>> # check_onnx('student.onnx', scoring_network(model), size=352)
"""
import copy
import statistics
from typing import Dict, List, Optional, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config

from ..utils.complexity import build_model_for_analysis, deployed_module

__all__ = ['ScoringNetwork', 'scoring_network', 'export_onnx',
           'onnx_batch_size', 'check_onnx', 'compare_speed',
           'summarize_speed_runs']


class ScoringNetwork(nn.Module):
    """Raw pixels in, scores out: normalisation + network + head.

    With ``fold_input=True`` the channel flip and the normalisation are
    folded into the weights of the network's first convolution (exact when
    it has no padding, as the 4 x 4 stride-4 stems of EdgeNeXt and ConvNeXt,
    and ViT patch embeddings): no per-pixel work is left in front.

    With ``fuse=True`` the network's inference-only rewrites are applied
    (:func:`fbp_mm.models.utils.fuse_for_inference`: layer scales folded
    into the preceding pointwise layer, Fourier position encodings
    computed once per input size, ResNet batch norms folded into their
    convolutions); scores change by float rounding only.

    With ``channels_last`` the network runs in channels-last memory
    format (weights and the normalised input), which oneDNN and cuDNN
    convolutions prefer; values are unchanged. ``None`` follows the
    ``channels_last`` switch of the config the model was built from
    (``model.cfg``).

    Args:
        model (nn.Module): An MMPretrain-style model (``forward(inputs,
            mode='tensor')`` gives the head's scores) with a
            ``data_preprocessor``; a distiller's student is taken.
        fold_input (bool): Fold the input processing into the first
            convolution. Defaults to False.
        channels_last (bool, optional): Channels-last memory format.
            Defaults to None (the config's switch; off without one).
        fuse (bool): Apply :func:`fbp_mm.models.utils.fuse_for_inference`
            to a copy of the network. Defaults to False.

    Raises:
        ValueError: ``fold_input`` and the first convolution pads, groups
            or does not take 3 channels.
    """

    def __init__(self,
                 model: nn.Module,
                 fold_input: bool = False,
                 channels_last: Optional[bool] = None,
                 fuse: bool = False) -> None:
        super().__init__()
        if channels_last is None:
            cfg = getattr(model, 'cfg', None)
            channels_last = bool(cfg is not None and hasattr(cfg, 'get')
                                 and cfg.get('channels_last', False))
        net = deployed_module(model)
        preprocessor = getattr(model, 'data_preprocessor', None)
        mean = getattr(preprocessor, 'mean', None)
        std = getattr(preprocessor, 'std', None)
        self.net = net
        self.register_buffer(
            'mean', (mean if mean is not None else torch.zeros(3, 1, 1))
            .detach().clone().float().view(1, -1, 1, 1), persistent=False)
        self.register_buffer(
            'std', (std if std is not None else torch.ones(3, 1, 1))
            .detach().clone().float().view(1, -1, 1, 1), persistent=False)
        self.to_rgb = bool(getattr(preprocessor, 'to_rgb', False))
        self.folded = False
        self.fused = None
        if fold_input or fuse:
            self.net = copy.deepcopy(net)  # the model itself stays as it is
        if fold_input:
            self._fold_into_first_conv()
        if fuse:
            from ..models.utils import fuse_for_inference
            self.fused = fuse_for_inference(self.net)
        self.channels_last = channels_last
        # both ways: a model built from a channels_last config already has
        # channels-last weights, and with those a convolution answers a
        # channels-first input channels-last
        self.net.to(memory_format=torch.channels_last
                    if channels_last else torch.contiguous_format)

    def _fold_into_first_conv(self) -> None:
        conv = next((m for m in self.net.modules()
                     if isinstance(m, nn.Conv2d)), None)
        pads = conv is not None and (isinstance(conv.padding, str)
                                     or any(p != 0 for p in conv.padding))
        if conv is None or conv.in_channels != 3 or conv.groups != 1 or \
                pads:
            raise ValueError(
                'fold_input needs a first convolution with 3 input '
                f'channels, no groups and no padding; got {conv}')
        mean = self.mean.view(-1)
        std = self.std.view(-1)
        with torch.no_grad():
            weight = conv.weight / std.view(1, -1, 1, 1)
            shift = (weight * mean.view(1, -1, 1, 1)).sum(dim=(1, 2, 3))
            if self.to_rgb:  # the conv sees BGR pixels: swap its channels
                weight = weight.flip(1)
            conv.weight.copy_(weight)
            if conv.bias is None:
                conv.bias = nn.Parameter(-shift)
            else:
                conv.bias.sub_(shift)
        self.folded = True

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs.float()
        if not self.folded:
            if self.to_rgb:
                x = x.flip(1)
            x = (x - self.mean) / self.std
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        out = self.net(x, mode='tensor')
        if isinstance(out, (tuple, list)):
            out = out[-1]
        return out


def scoring_network(model: Union[str, Config, nn.Module],
                    checkpoint: Optional[str] = None,
                    fold_input: bool = False,
                    channels_last: Optional[bool] = None,
                    fuse: bool = False) -> ScoringNetwork:
    """The :class:`ScoringNetwork` of a config (and checkpoint) or model.

    Args:
        model (str | Config | nn.Module): Config file, config, or a built
            model.
        checkpoint (str, optional): Weights to load into a built config.
        fold_input (bool): See :class:`ScoringNetwork`. Defaults to False.
        channels_last (bool, optional): See :class:`ScoringNetwork`.
            Defaults to None (the config's ``channels_last``).
        fuse (bool): See :class:`ScoringNetwork`. Defaults to False.

    Returns:
        ScoringNetwork: In eval mode, on the CPU.
    """
    if not isinstance(model, nn.Module):
        # only the student is exported: the teacher_ckpt is not read
        model = build_model_for_analysis(model, checkpoint=checkpoint)
    return ScoringNetwork(model, fold_input, channels_last, fuse).eval()


def export_onnx(network: ScoringNetwork,
                out_file: str,
                size: int,
                opset: int = 17,
                batch_size: Optional[int] = None) -> str:
    """Write ``network`` as ONNX, ``size x size`` input.

    By default the batch axis is dynamic (any batch size). A fixed
    ``batch_size`` gives a graph without the shape arithmetic of a dynamic
    axis, which ONNX Runtime optimises further (constant shapes fold, the
    linear layers become ``Gemm``): the FIQA student at 352 px, batch 1,
    ran 1.09 to 1.22 x faster in ONNX Runtime that way on a 2-core CPU
    (``docs/benchmarks.md``). Such a model takes that batch size only.

    Args:
        network (ScoringNetwork): See :func:`scoring_network`.
        out_file (str): The ``.onnx`` file.
        size (int): Input side in pixels (the config's test size).
        opset (int): ONNX opset. Defaults to 17.
        batch_size (int, optional): Fix the batch axis to this size.
            Defaults to None (dynamic).

    Returns:
        str: ``out_file``.

    Example:
        >>> # network = scoring_network('configs/fiqa/edgenext-xxsmall_'
        >>> #     '1xb32-30e_fiqa-352px_student.py', 'student.pth')
        >>> # export_onnx(network, 'student_b1.onnx', 352, batch_size=1)
        >>> # onnx_batch_size('student_b1.onnx')  # 1 (None when dynamic)
    """
    if batch_size is not None and batch_size < 1:
        raise ValueError(f'batch_size must be positive, not {batch_size}')
    example = torch.rand(batch_size or 2, 3, size, size) * 255
    dynamic_axes = None if batch_size else {
        'inputs': {0: 'batch'}, 'scores': {0: 'batch'}}
    with torch.no_grad():
        torch.onnx.export(
            network, (example, ), out_file, dynamo=False,
            opset_version=opset, input_names=['inputs'],
            output_names=['scores'], dynamic_axes=dynamic_axes)
    return out_file


def onnx_batch_size(onnx_file: str) -> Optional[int]:
    """The fixed batch size of an exported model, None when dynamic.

    Args:
        onnx_file (str): From :func:`export_onnx`.

    Returns:
        int | None: The input's first dimension when it is a number.
    """
    return _fixed_batch(_session(onnx_file))


def _fixed_batch(session) -> Optional[int]:
    first = session.get_inputs()[0].shape[0]
    return first if isinstance(first, int) else None


def _check_batch(session, onnx_file: str, batch_size: int) -> None:
    fixed = _fixed_batch(session)
    if fixed is not None and fixed != batch_size:
        raise ValueError(
            f'{onnx_file} was exported for batch size {fixed} only, not '
            f'{batch_size}: export it again without a fixed batch size or '
            'with this one')


def _ratios(speed: Dict[str, float], best: Dict[str, float],
            paired: Dict[tuple, float], ours: str, theirs: str,
            ratio: str) -> Dict[str, float]:
    """images/s of ``theirs``; ``ours`` / ``theirs``: median, best, paired."""
    return {
        'images_per_s': speed[theirs],
        'best_images_per_s': best[theirs],
        ratio: speed[ours] / speed[theirs],
        f'best_{ratio}': best[ours] / best[theirs],
        f'paired_{ratio}': paired[ours, theirs]
    }


def _session(onnx_file: str, threads: Optional[int] = None):
    import onnxruntime as ort
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    return ort.InferenceSession(onnx_file, options,
                                providers=['CPUExecutionProvider'])


def check_onnx(onnx_file: str, network: ScoringNetwork, size: int,
               batch_size: Optional[int] = None, seed: int = 0) -> float:
    """Largest absolute difference between ONNX Runtime and PyTorch.

    Args:
        onnx_file (str): From :func:`export_onnx`.
        network (ScoringNetwork): The exported network.
        size (int): Input side.
        batch_size (int, optional): Images compared. Defaults to the
            model's fixed batch size, 4 for a dynamic one.
        seed (int): Seed of the random 0-255 input. Defaults to 0.

    Returns:
        float: ``max |onnx - torch|`` over the scores.

    Raises:
        ValueError: ``batch_size`` is not the model's fixed batch size.
    """
    session = _session(onnx_file)
    if batch_size is None:
        batch_size = _fixed_batch(session) or 4
    _check_batch(session, onnx_file, batch_size)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 255, (batch_size, 3, size, size)).astype(np.float32)
    onnx_out = session.run(None, {'inputs': x})[0]
    with torch.no_grad():
        torch_out = network(torch.from_numpy(x)).numpy()
    return float(np.abs(onnx_out - torch_out).max())


def compare_speed(onnx_file: str, network: ScoringNetwork, size: int,
                  batch_size: int = 1, steps: int = 50, warmup: int = 5,
                  threads: Optional[int] = None,
                  references: Optional[Dict[str, nn.Module]] = None,
                  block: int = 5,
                  pause: float = 0.1,
                  onnx_references: Optional[Dict[str, str]] = None
                  ) -> Dict[str, object]:
    """CPU images/s of ONNX Runtime and of PyTorch eager, same input.

    The runtimes (and any reference networks) take turns, ``block``
    timed calls each after one untimed call
    (:func:`fbp_mm.utils.benchmark.time_interleaved`), so a busy spell of
    the machine slows all of them alike and the ratios hold, while each
    runtime's timed calls run as they would alone (ONNX Runtime's threads
    spin for a while after a call, which slows whatever comes next).

    Args:
        onnx_file (str): From :func:`export_onnx`.
        network (ScoringNetwork): The exported network.
        size (int): Input side.
        batch_size (int): Images per call. Defaults to 1.
        steps (int): Timed calls of each (median taken). Defaults to 50.
        warmup (int): Untimed calls of each first. Defaults to 5.
        threads (int, optional): ONNX Runtime's intra-op threads.
            Defaults to PyTorch's, ``torch.get_num_threads()``.
        references (dict, optional): Name -> another network taking the
            same input (e.g. :func:`fbp_mm.utils.benchmark.timm_reference`),
            timed in PyTorch eager beside ours. Defaults to None.
        block (int): Timed calls per turn. Defaults to 5.
        pause (float): Seconds of rest before each turn. Defaults to 0.1.
        onnx_references (dict, optional): Name -> another ONNX file of
            the network (e.g. exported with a dynamic batch axis beside a
            fixed one), timed in ONNX Runtime in the same turns. Defaults
            to None.

    Raises:
        ValueError: ``batch_size`` is not the model's fixed batch size.

    Returns:
        dict: ``onnxruntime_images_per_s``, ``pytorch_images_per_s`` (from
        the median call) and their ``ratio``; the same from each one's
        fastest call (``*_best_images_per_s``, ``best_ratio``: additive
        noise of a shared machine only ever slows a call, so the best
        calls are the steadier comparison there), and ``paired_ratio``,
        the median of the rounds' ratios
        (:func:`fbp_mm.utils.benchmark.paired_speed_ratio`: a slow spell
        hits both runtimes in the same round and cancels out); with
        references,
        ``references``: name -> ``images_per_s``, ``best_images_per_s``,
        ``pytorch_over_reference``, ``best_pytorch_over_reference`` and
        ``paired_pytorch_over_reference`` (ours in PyTorch / the
        reference, images/s); with
        ``onnx_references``, ``onnx_references``: name ->
        ``images_per_s``, ``best_images_per_s``, ``onnx_over_reference``,
        ``best_onnx_over_reference`` and ``paired_onnx_over_reference``
        (``onnx_file`` / the reference).

    Example:
        >>> # compare_speed('student.onnx', network, 352,
        >>> #               references={'timm': timm_reference(
        >>> #                   'edgenext_xx_small', model)})
    """
    from ..utils.benchmark import paired_speed_ratio, time_interleaved
    threads = threads or torch.get_num_threads()
    session = _session(onnx_file, threads)
    _check_batch(session, onnx_file, batch_size)
    x = np.random.default_rng(0).uniform(
        0, 255, (batch_size, 3, size, size)).astype(np.float32)
    tensor = torch.from_numpy(x)
    batch = dict(inputs=tensor)
    calls = dict(
        onnxruntime=(lambda d: session.run(None, {'inputs': x}), {}),
        pytorch=(lambda d: network(d['inputs']), batch))
    for name, reference in (references or {}).items():
        calls[f'reference {name}'] = (
            lambda d, net=reference.eval(): net(d['inputs']), batch)
    for name, other in (onnx_references or {}).items():
        other_session = _session(other, threads)
        _check_batch(other_session, other, batch_size)
        calls[f'onnx {name}'] = (
            lambda d, sess=other_session: sess.run(None, {'inputs': x}), {})
    with torch.no_grad():
        times = time_interleaved(calls, torch.device('cpu'), warmup, steps,
                                 block, pause)
    speed = {
        name: batch_size / float(np.median(seconds))
        for name, seconds in times.items()
    }
    best = {
        name: batch_size / float(min(seconds))
        for name, seconds in times.items()
    }
    result = dict(onnxruntime_images_per_s=speed['onnxruntime'],
                  pytorch_images_per_s=speed['pytorch'],
                  onnxruntime_best_images_per_s=best['onnxruntime'],
                  pytorch_best_images_per_s=best['pytorch'])
    result['ratio'] = result['onnxruntime_images_per_s'] / \
        result['pytorch_images_per_s']
    result['best_ratio'] = best['onnxruntime'] / best['pytorch']

    pairs = [('onnxruntime', 'pytorch')]
    pairs += [('pytorch', f'reference {name}') for name in references or {}]
    pairs += [('onnxruntime', f'onnx {name}')
              for name in onnx_references or {}]
    paired = {(ours, theirs): paired_speed_ratio(times[ours], times[theirs],
                                                 block)
              for ours, theirs in pairs}
    result['paired_ratio'] = paired['onnxruntime', 'pytorch']
    if references:
        result['references'] = {
            name: _ratios(speed, best, paired, 'pytorch',
                          f'reference {name}', 'pytorch_over_reference')
            for name in references
        }
    if onnx_references:
        result['onnx_references'] = {
            name: _ratios(speed, best, paired, 'onnxruntime', f'onnx {name}',
                          'onnx_over_reference')
            for name in onnx_references
        }
    return result


def _speed_ratios(report: dict, prefix: str = '') -> Dict[str, float]:
    """Every ratio of a :func:`compare_speed` report, by its key path."""
    ratios = {}
    for key, value in report.items():
        if isinstance(value, dict):
            ratios.update(_speed_ratios(value, f'{prefix}{key}/'))
        elif 'ratio' in key or '_over_' in key:
            ratios[prefix + key] = float(value)
    return ratios


def summarize_speed_runs(reports: List[dict]) -> Dict[str, dict]:
    """Mean, standard deviation and range of each ratio over several runs.

    Args:
        reports (list[dict]): :func:`compare_speed` reports of the same
            networks (e.g. one per run of the tool).

    Returns:
        dict: Key path of each ratio (``'ratio'``,
        ``'references/NAME/paired_pytorch_over_reference'``, ...) ->
        ``mean``, ``std`` (sample standard deviation, 0 for one run),
        ``min``, ``max`` and the ``values`` in run order.

    Raises:
        ValueError: No reports, or reports with different ratios.

    Example:
        >>> runs = [dict(ratio=1.5, references=dict(
        ...     timm=dict(images_per_s=9.0, pytorch_over_reference=1.0))),
        ...     dict(ratio=2.5, references=dict(
        ...     timm=dict(images_per_s=8.0, pytorch_over_reference=1.2)))]
        >>> summary = summarize_speed_runs(runs)
        >>> sorted(summary)
        ['ratio', 'references/timm/pytorch_over_reference']
        >>> summary['ratio']['mean'], round(summary['ratio']['std'], 4)
        (2.0, 0.7071)
    """
    if not reports:
        raise ValueError('summarize_speed_runs needs at least one report')
    runs = [_speed_ratios(report) for report in reports]
    if any(set(run) != set(runs[0]) for run in runs):
        raise ValueError('the reports do not have the same ratios: '
                         f'{sorted(runs[0])} and others')
    summary = {}
    for key in runs[0]:
        values = [run[key] for run in runs]
        summary[key] = dict(
            mean=statistics.fmean(values),
            std=statistics.stdev(values) if len(values) > 1 else 0.0,
            min=min(values), max=max(values), values=values)
    return summary
