"""Element-wise regression losses for score targets (MSE, L1, smooth L1)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS


class _PointwiseLoss(nn.Module):
    """Shared reduction and weighting for element-wise losses.

    Args:
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str, optional): Key of the loss in the log; MMEngine sums
            every key that contains ``'loss'``. Defaults to the class's own.
    """

    default_name = 'loss'

    def __init__(self,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0,
                 loss_name: Optional[str] = None) -> None:
        super().__init__()
        if reduction not in ('mean', 'sum', 'none'):
            raise ValueError(
                "reduction must be 'mean', 'sum' or 'none', "
                f'got {reduction!r}')
        self.reduction = reduction
        self.loss_weight = loss_weight
        self.loss_name = loss_name or self.default_name

    def elementwise(self, pred: torch.Tensor,
                    target: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self,
                pred: torch.Tensor,
                target: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                **kwargs) -> torch.Tensor:
        """Compute the weighted, reduced loss.

        Args:
            pred (Tensor): Predictions, shape ``(N, ...)``.
            target (Tensor): Targets of the same shape (``(N,)`` is
                broadcast against ``(N, 1)``).
            weight (Tensor, optional): Per-element weights. Defaults to None.
            avg_factor (float, optional): Divide the sum by this instead of
                the element count (with ``reduction='mean'``).

        Returns:
            Tensor: The loss.
        """
        target = target.to(pred.dtype).reshape(pred.shape)
        loss = self.elementwise(pred, target)
        if weight is not None:
            loss = loss * weight.reshape(-1, *([1] * (loss.dim() - 1)))
        if self.reduction == 'mean':
            loss = loss.sum() / avg_factor / loss[0].numel() \
                if avg_factor is not None else loss.mean()
        elif self.reduction == 'sum':
            loss = loss.sum()
        return self.loss_weight * loss


@MODELS.register_module()
class MSELoss(_PointwiseLoss):
    """Mean squared error between predicted and target scores.

    Example:
        >>> import torch
        >>> loss = MSELoss(loss_weight=2.0)
        >>> loss(torch.tensor([[1.0], [3.0]]), torch.tensor([[2.0], [3.0]]))
        tensor(1.)
    """

    default_name = 'loss_mse'

    def elementwise(self, pred, target):
        return F.mse_loss(pred, target, reduction='none')


@MODELS.register_module()
class L1Loss(_PointwiseLoss):
    """Mean absolute error between predicted and target scores.

    Example:
        >>> import torch
        >>> L1Loss()(torch.tensor([1.0, 3.0]), torch.tensor([2.0, 5.0]))
        tensor(1.5000)
    """

    default_name = 'loss_l1'

    def elementwise(self, pred, target):
        return F.l1_loss(pred, target, reduction='none')


@MODELS.register_module()
class SmoothL1Loss(_PointwiseLoss):
    """Smooth L1 (Huber-like) loss between predicted and target scores.

    Args:
        beta (float): Below this absolute error the loss is quadratic.
            Defaults to 1.0.
        **kwargs: ``reduction``, ``loss_weight``, ``loss_name``.

    Example:
        >>> import torch
        >>> SmoothL1Loss(beta=1.0)(torch.tensor([0.5]), torch.tensor([0.0]))
        tensor(0.1250)
    """

    default_name = 'loss_smooth_l1'

    def __init__(self, beta: float = 1.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.beta = beta

    def elementwise(self, pred, target):
        return F.smooth_l1_loss(pred, target, reduction='none', beta=self.beta)
