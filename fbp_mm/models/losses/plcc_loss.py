"""Correlation loss: one minus the batch Pearson correlation."""
from typing import Optional

import torch
import torch.nn as nn
from mmpretrain.registry import MODELS


@MODELS.register_module()
class PLCCLoss(nn.Module):
    """Penalise a low Pearson linear correlation within the batch.

    The loss is ``(1 - PLCC(pred, target)) / 2`` per output column, averaged
    over columns, so it lies in ``[0, 1]``. It is blind to the scale and
    offset of the predictions, so combine it with a pointwise loss (e.g.
    ``MSELoss``) when absolute scores matter.

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        eps (float): Added to the standard deviations to keep the loss
            finite for constant predictions. Defaults to 1e-8.
        loss_name (str): Key of the loss in the log. Defaults to
            ``'loss_plcc'``.

    Example:
        >>> import torch
        >>> loss = PLCCLoss()
        >>> loss(torch.tensor([1.0, 2.0, 3.0]), torch.tensor([2.0, 4.0, 6.0]))
        tensor(0.)
    """

    def __init__(self,
                 loss_weight: float = 1.0,
                 eps: float = 1e-8,
                 loss_name: str = 'loss_plcc') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.eps = eps
        self.loss_name = loss_name

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                **kwargs) -> torch.Tensor:
        """Compute the loss over the batch dimension.

        Args:
            pred (Tensor): Predictions, shape ``(N,)`` or ``(N, k)``.
            target (Tensor): Targets, same number of elements.
            weight (Tensor, optional): Unused; a correlation has no
                per-sample weight. Accepted for interface compatibility.
            avg_factor (float, optional): Unused, as ``weight``.

        Returns:
            Tensor: Scalar loss; zero when the batch has fewer than 2 samples.
        """
        pred = pred.reshape(pred.size(0), -1)
        target = target.to(pred.dtype).reshape(pred.shape)
        if pred.size(0) < 2:
            return pred.sum() * 0.0
        pred = pred - pred.mean(dim=0, keepdim=True)
        target = target - target.mean(dim=0, keepdim=True)
        cov = (pred * target).mean(dim=0)
        std = pred.pow(2).mean(dim=0).sqrt() * target.pow(2).mean(dim=0).sqrt()
        plcc = cov / (std + self.eps)
        return self.loss_weight * ((1.0 - plcc) / 2.0).mean()
