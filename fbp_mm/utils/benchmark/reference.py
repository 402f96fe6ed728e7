"""Reference networks from other libraries, for speed comparisons.

:func:`timm_reference` builds a timm model (random weights, nothing
downloaded) with an MLP scoring head and puts it behind the same input
processing as fbp_mm's :class:`~fbp_mm.apis.onnx_export.ScoringNetwork`
(BGR 0-255 pixels in, channel flip and normalisation in front), so that a
timing compares the networks and nothing else. The Efficient-FIQA authors'
student is timm's ``edgenext_xx_small`` with such a head.
"""
from typing import Sequence

import torch
import torch.nn as nn

__all__ = ['timm_reference']


class _TimmScorer(nn.Module):
    """A timm feature extractor and an MLP head, called like our models."""

    def __init__(self, features: nn.Module, head: nn.Module,
                 data_preprocessor: nn.Module) -> None:
        super().__init__()
        self.features = features
        self.head = head
        self.data_preprocessor = data_preprocessor

    def forward(self, inputs: torch.Tensor,
                mode: str = 'tensor') -> torch.Tensor:
        return self.head(self.features(inputs))


def timm_reference(name: str,
                   like: nn.Module,
                   hidden_channels: Sequence[int] = (128, ),
                   num_outputs: int = 1) -> nn.Module:
    """timm's ``name`` with an MLP head, behind ``like``'s input processing.

    Args:
        name (str): A timm model name, e.g. ``'edgenext_xx_small'``.
        like (nn.Module): The model whose ``data_preprocessor`` (mean, std,
            BGR to RGB) the reference copies, e.g. our student built from
            its config, or our :class:`~fbp_mm.apis.onnx_export.
            ScoringNetwork`.
        hidden_channels (Sequence[int]): Widths of the head's hidden linear
            layers (no activation between them, as the Efficient-FIQA
            student's head). Defaults to ``(128, )``.
        num_outputs (int): Scores per image. Defaults to 1.

    Returns:
        nn.Module: A :class:`~fbp_mm.apis.onnx_export.ScoringNetwork` in
        eval mode: raw BGR 0-255 pixels in, ``(N, num_outputs)`` out.

    Raises:
        ImportError: timm is not installed (it is not a dependency of
            fbp_mm; ``pip install timm`` in the benchmark's environment).

    Example:
        >>> # from fbp_mm.apis import build_model_from_config
        >>> # ours = build_model_from_config('configs/fiqa/edgenext-'
        >>> #     'xxsmall_1xb32-30e_fiqa-352px_student.py')
        >>> # timm_net = timm_reference('edgenext_xx_small', ours)
    """
    try:
        import timm
    except ImportError as error:
        raise ImportError(
            f'timm is needed for the reference network {name!r}: '
            '`pip install timm` in this environment (it is not an fbp_mm '
            'dependency).') from error
    from fbp_mm.apis.onnx_export import ScoringNetwork
    features = timm.create_model(name, pretrained=False, num_classes=0)
    widths = [features.num_features, *hidden_channels, num_outputs]
    head = nn.Sequential(*(nn.Linear(a, b)
                           for a, b in zip(widths[:-1], widths[1:])))
    scorer = _TimmScorer(features, head,
                         getattr(like, 'data_preprocessor', None))
    network = ScoringNetwork(scorer)
    if isinstance(like, ScoringNetwork):
        network.mean.copy_(like.mean)
        network.std.copy_(like.std)
        network.to_rgb = like.to_rgb
    return network.eval()
