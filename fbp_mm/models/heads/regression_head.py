"""Score regression head: pooled features → one or more real scores."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

LossCfg = Union[dict, nn.Module, Sequence[Union[dict, nn.Module]]]


def pool_features(feat: torch.Tensor) -> torch.Tensor:
    """Reduce a backbone or neck output to a ``(N, C)`` vector.

    Args:
        feat (Tensor): ``(N, C)`` is returned as is, ``(N, C, H, W)`` is
            averaged over space and ``(N, L, C)`` (tokens) over tokens.

    Returns:
        Tensor: Pooled features of shape ``(N, C)``.
    """
    if feat.dim() == 2:
        return feat
    if feat.dim() == 4:
        return feat.mean(dim=(2, 3))
    if feat.dim() == 3:
        return feat.mean(dim=1)
    raise ValueError(f'Cannot pool a feature of shape {tuple(feat.shape)}')


def build_losses(loss: LossCfg) -> nn.ModuleList:
    """Build one or several weighted loss modules from config."""
    cfgs = [loss] if isinstance(loss, (dict, nn.Module)) else list(loss)
    if not cfgs:
        raise ValueError('At least one loss is required.')
    modules = nn.ModuleList()
    for cfg in cfgs:
        if not isinstance(cfg, nn.Module):
            cfg = MODELS.build(cfg)
        modules.append(cfg)
    names = [getattr(m, 'loss_name', 'loss') for m in modules]
    if len(set(names)) != len(names):
        raise ValueError(f'Loss names must be unique, got {names}; set '
                         '`loss_name` of repeated loss types.')
    return modules


def stack_targets(data_samples: List[DataSample]) -> torch.Tensor:
    """Stack ``gt_score`` of the samples into an ``(N, k)`` float tensor."""
    if 'gt_score' not in data_samples[0]:
        raise KeyError(
            'Regression heads read targets from `gt_score`; the data '
            'samples have none. Pack the score with `PackInputs` as '
            '`gt_score` (a float list), not as `gt_label`.')
    return torch.stack([s.gt_score.float() for s in data_samples]).reshape(
        len(data_samples), -1)


@MODELS.register_module()
class RegressionHead(BaseModule):
    """Linear or MLP head predicting ``num_outputs`` real-valued scores.

    Takes the last item of the backbone / neck output tuple, pools it to
    ``(N, C)`` (see :func:`pool_features`), and maps it to scores. Targets
    come from ``gt_score`` of the data samples; predictions are written to
    ``pred_score`` (a 1-D float tensor of ``num_outputs`` values).

    Args:
        in_channels (int): Feature channels.
        num_outputs (int): Scores per image. Defaults to 1.
        hidden_channels (Sequence[int]): Widths of hidden layers; empty means
            a single linear layer. Defaults to ``()``.
        dropout (float): Dropout before each linear layer. Defaults to 0.
        act_cfg (dict, optional): Activation after each hidden layer; None
            stacks the linear layers with nothing between them (the
            Efficient-FIQA head). Defaults to ``dict(type='GELU')``.
        score_range (tuple[float, float], optional): If given, outputs pass
            through a scaled sigmoid so they always lie in this range (for
            example ``(1, 5)`` for SCUT-FBP5500). Defaults to None.
        loss (dict | list[dict]): One loss config or a list of them; each
            carries its own ``loss_weight`` and is logged under its
            ``loss_name``. Defaults to ``dict(type='MSELoss')``.
        init_cfg (dict, optional): Initialisation config. Defaults to
            truncated-normal linear layers.

    Example:
        >>> head = dict(
        ...     type='RegressionHead', in_channels=768, score_range=(1, 5),
        ...     loss=[dict(type='MSELoss', loss_weight=1.0),
        ...           dict(type='PLCCLoss', loss_weight=1.0)])
    """

    def __init__(self,
                 in_channels: int,
                 num_outputs: int = 1,
                 hidden_channels: Sequence[int] = (),
                 dropout: float = 0.0,
                 act_cfg: Optional[dict] = dict(type='GELU'),
                 score_range: Optional[Tuple[float, float]] = None,
                 loss: LossCfg = dict(type='MSELoss'),
                 init_cfg: Optional[dict] = dict(
                     type='TruncNormal', layer='Linear', std=0.02)) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.num_outputs = num_outputs
        if score_range is not None:
            low, high = score_range
            if not high > low:
                raise ValueError(f'score_range must be (low, high) with '
                                 f'low < high, got {score_range}')
        self.score_range = score_range
        self.loss_modules = build_losses(loss)
        self.layers = self._build_mlp(in_channels, hidden_channels,
                                      self.out_channels, dropout, act_cfg)

    @property
    def out_channels(self) -> int:
        """Width of the last linear layer."""
        return self.num_outputs

    @staticmethod
    def _build_mlp(in_channels: int, hidden: Sequence[int], out_channels: int,
                   dropout: float,
                   act_cfg: Optional[dict]) -> nn.Sequential:
        layers = []
        widths = [in_channels, *hidden]
        for c_in, c_out in zip(widths[:-1], widths[1:]):
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
            layers.append(nn.Linear(c_in, c_out))
            if act_cfg is not None:
                layers.append(MODELS.build(act_cfg))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(widths[-1], out_channels))
        return nn.Sequential(*layers)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Pool the last feature of the tuple to ``(N, C)``."""
        return pool_features(feats[-1])

    def bound(self, raw: torch.Tensor) -> torch.Tensor:
        """Map raw outputs into ``score_range`` (identity if None)."""
        if self.score_range is None:
            return raw
        low, high = self.score_range
        return low + (high - low) * torch.sigmoid(raw)

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Predict scores of shape ``(N, num_outputs)``."""
        return self.bound(self.layers(self.pre_logits(feats)))

    def scores_from_output(self, output: torch.Tensor) -> torch.Tensor:
        """Turn the output of :meth:`forward` into ``(N, k)`` scores."""
        return output

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        """Compute every configured loss against ``gt_score``.

        Args:
            feats (tuple[Tensor]): Backbone / neck outputs.
            data_samples (list[DataSample]): Samples with ``gt_score``.

        Returns:
            dict[str, Tensor]: One entry per loss name.
        """
        output = self(feats)
        target = stack_targets(data_samples).to(output.device)
        return self.compute_losses(output, target)

    def compute_losses(self, output: torch.Tensor,
                       target: torch.Tensor) -> dict:
        """Apply the configured losses to an output of :meth:`forward`."""
        scores = self.scores_from_output(output)
        if target.shape != scores.shape:
            raise ValueError(
                f'gt_score has {target.shape[1]} value(s) per sample but the '
                f'head predicts {scores.shape[1]} (num_outputs).')
        return {
            getattr(m, 'loss_name', 'loss'): m(scores, target)
            for m in self.loss_modules
        }

    def predict(self,
                feats: Tuple[torch.Tensor],
                data_samples: Optional[List[Optional[DataSample]]] = None
                ) -> List[DataSample]:
        """Predict scores and store them as ``pred_score``.

        Args:
            feats (tuple[Tensor]): Backbone / neck outputs.
            data_samples (list[DataSample | None], optional): Samples to
                fill; new ones are created when None.

        Returns:
            list[DataSample]: Samples with ``pred_score`` of shape ``(k,)``.
        """
        output = self(feats)
        scores = self.scores_from_output(output).detach()
        if data_samples is None:
            data_samples = [None] * scores.size(0)
        results = []
        for sample, score in zip(data_samples, scores):
            sample = DataSample() if sample is None else sample
            sample.set_pred_score(score)
            results.append(sample)
        return results
