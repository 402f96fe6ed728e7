"""Score regression through a distribution over score bins."""
from typing import List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .regression_head import RegressionHead, stack_targets


@MODELS.register_module()
class DistributionRegressionHead(RegressionHead):
    """Predict a softmax distribution over score bins; the score is its mean.

    The head outputs logits over ``num_bins`` evenly spaced bin centres
    covering ``score_range``. Training matches the softmax to a Gaussian
    label distribution centred on the target score (KL divergence, weight
    ``dist_loss_weight``) and applies the configured score losses to the
    expected score. Because :meth:`forward` returns logits, KL-based
    knowledge distillation with temperature applies to regression as well.

    Args:
        in_channels (int): Feature channels.
        score_range (tuple[float, float]): Lowest and highest score.
            Defaults to ``(1, 5)``.
        num_bins (int): Number of bins. Defaults to 41.
        label_sigma (float): Standard deviation (in score units) of the
            Gaussian label distribution. Defaults to 0.25.
        dist_loss_weight (float): Weight of the KL term (logged as
            ``loss_dist``). Defaults to 1.0.
        **kwargs: ``hidden_channels``, ``dropout``, ``act_cfg``, ``loss``
            (score losses on the expectation; defaults to MSE) and
            ``init_cfg`` of :class:`RegressionHead`. One score per image.

    Example:
        >>> head = dict(type='DistributionRegressionHead', in_channels=384,
        ...             score_range=(1, 5), num_bins=41, label_sigma=0.25)
    """

    def __init__(self,
                 in_channels: int,
                 score_range: Tuple[float, float] = (1.0, 5.0),
                 num_bins: int = 41,
                 label_sigma: float = 0.25,
                 dist_loss_weight: float = 1.0,
                 **kwargs) -> None:
        if num_bins < 2:
            raise ValueError(f'num_bins must be at least 2, got {num_bins}')
        if label_sigma <= 0:
            raise ValueError(f'label_sigma must be > 0, got {label_sigma}')
        self.num_bins = num_bins
        kwargs.pop('num_outputs', None)
        super().__init__(
            in_channels, num_outputs=1, score_range=score_range, **kwargs)
        self.label_sigma = label_sigma
        self.dist_loss_weight = dist_loss_weight
        self.register_buffer(
            'bin_centers',
            torch.linspace(score_range[0], score_range[1], num_bins),
            persistent=False)

    @property
    def out_channels(self) -> int:
        return self.num_bins

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Return bin logits of shape ``(N, num_bins)``."""
        return self.layers(self.pre_logits(feats))

    def scores_from_output(self, output: torch.Tensor) -> torch.Tensor:
        """Expected score under the softmax, shape ``(N, 1)``."""
        prob = output.softmax(dim=-1)
        return (prob * self.bin_centers).sum(dim=-1, keepdim=True)

    def label_distribution(self, target: torch.Tensor) -> torch.Tensor:
        """Gaussian distribution over bins for ``(N, 1)`` target scores."""
        logits = -0.5 * ((self.bin_centers - target.reshape(-1, 1)) /
                         self.label_sigma)**2
        return logits.softmax(dim=-1)

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        """KL to the Gaussian label distribution plus the score losses."""
        logits = self(feats)
        target = stack_targets(data_samples).to(logits.device)
        losses = self.compute_losses(logits, target)
        label_dist = self.label_distribution(target)
        kl = F.kl_div(
            logits.log_softmax(dim=-1), label_dist, reduction='batchmean')
        losses['loss_dist'] = self.dist_loss_weight * kl
        return losses

    def predict(self,
                feats: Tuple[torch.Tensor],
                data_samples: Optional[List[Optional[DataSample]]] = None
                ) -> List[DataSample]:
        """Store the expected score as ``pred_score`` and the bin
        probabilities as ``pred_distribution``."""
        logits = self(feats).detach()
        samples = super().predict(feats, data_samples)
        for sample, prob in zip(samples, logits.softmax(dim=-1)):
            sample.set_field(prob, 'pred_distribution')
        return samples
