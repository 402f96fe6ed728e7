"""Pairwise ranking loss for score regression."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS


@MODELS.register_module()
class PairwiseRankLoss(nn.Module):
    """Hinge loss on every ordered pair of the batch.

    For each pair ``(i, j)`` whose targets differ by more than
    ``min_gap``, the prediction difference must have the target's sign with
    a margin: ``max(0, margin - sign(t_i - t_j) * (p_i - p_j))``. The loss is
    the mean over such pairs and output columns.

    Args:
        margin (float): Required separation of predictions. Defaults to 0.0,
            which only penalises wrongly ordered pairs.
        min_gap (float): Pairs whose targets differ by at most this are
            ignored (ties). Defaults to 0.0.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str): Key of the loss in the log. Defaults to
            ``'loss_rank'``.

    Example:
        >>> import torch
        >>> loss = PairwiseRankLoss(margin=0.0)
        >>> loss(torch.tensor([3.0, 2.0, 1.0]), torch.tensor([1.0, 2.0, 3.0]))
        tensor(1.3333)
    """

    def __init__(self,
                 margin: float = 0.0,
                 min_gap: float = 0.0,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_rank') -> None:
        super().__init__()
        self.margin = margin
        self.min_gap = min_gap
        self.loss_weight = loss_weight
        self.loss_name = loss_name

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                **kwargs) -> torch.Tensor:
        """Compute the loss over all pairs of the batch.

        Args:
            pred (Tensor): Predictions, shape ``(N,)`` or ``(N, k)``.
            target (Tensor): Targets, same number of elements.
            weight (Tensor, optional): Unused, kept for interface
                compatibility.
            avg_factor (float, optional): Unused.

        Returns:
            Tensor: Scalar loss; zero when no pair has distinct targets.
        """
        pred = pred.reshape(pred.size(0), -1)
        target = target.to(pred.dtype).reshape(pred.shape)
        pred_diff = pred.unsqueeze(1) - pred.unsqueeze(0)
        target_diff = target.unsqueeze(1) - target.unsqueeze(0)
        valid = target_diff.abs() > self.min_gap
        if not valid.any():
            return pred.sum() * 0.0
        hinge = F.relu(self.margin - torch.sign(target_diff) * pred_diff)
        return self.loss_weight * hinge[valid].mean()
