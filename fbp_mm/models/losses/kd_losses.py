"""Knowledge-distillation losses between student and teacher tensors.

Every loss is called as ``loss(student, teacher)`` and returns a scalar
already multiplied by ``loss_weight``. The teacher tensor is treated as a
constant (it is detached). In a ``TeacherStudentDistiller`` config map the
recorded tensors onto the ``student`` and ``teacher`` arguments.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpretrain.registry import MODELS


def _channel_dim(feat: torch.Tensor) -> int:
    """Channels are dim 1 of ``(N, C, H, W)`` maps, else the last dim."""
    return 1 if feat.dim() == 4 else -1


def _check_same_shape(loss: nn.Module, student: torch.Tensor,
                      teacher: torch.Tensor) -> None:
    if student.shape != teacher.shape:
        raise ValueError(
            f'{type(loss).__name__} needs student and teacher tensors of the '
            f'same shape, got {tuple(student.shape)} and '
            f'{tuple(teacher.shape)}; add a connector to the student side.')


class _KDLoss(nn.Module):
    """Holds ``loss_weight`` and ``loss_name`` of the KD losses.

    Args:
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str, optional): Key of the loss in the log. Defaults to
            the class's own name.
    """

    default_name = 'loss_kd'

    def __init__(self,
                 loss_weight: float = 1.0,
                 loss_name: Optional[str] = None) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.loss_name = loss_name or self.default_name


@MODELS.register_module()
class KLDivergenceKD(_KDLoss):
    """KL divergence between temperature-softened distributions.

    Computes ``T^2 * KL(softmax(teacher / T) || softmax(student / T))``
    with the softmax over the last dimension. The ``T^2`` factor keeps the
    gradient scale independent of the temperature (Hinton et al., 2015).
    Inputs of more than two dimensions are flattened to rows of the last
    dimension, each row counting as one distribution.

    Args:
        temperature (float): Softening temperature ``T``. Defaults to 1.0.
        reduction (str): ``'batchmean'`` (sum divided by the number of
            distributions), ``'sum'`` or ``'none'`` (one value per
            distribution). Defaults to ``'batchmean'``.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str): Log key. Defaults to ``'loss_kd_kl'``.

    Example:
        >>> # on the bin logits of a DistributionRegressionHead
        >>> loss = dict(type='KLDivergenceKD', temperature=2.0,
        ...             loss_weight=1.0)
    """

    default_name = 'loss_kd_kl'

    def __init__(self,
                 temperature: float = 1.0,
                 reduction: str = 'batchmean',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        if reduction not in ('batchmean', 'sum', 'none'):
            raise ValueError("reduction must be 'batchmean', 'sum' or "
                             f"'none', got {reduction!r}")
        self.temperature = temperature
        self.reduction = reduction

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student logits ``(..., C)``.
            teacher (Tensor): Teacher logits of the same shape.

        Returns:
            Tensor: The weighted loss.
        """
        _check_same_shape(self, student, teacher)
        t = self.temperature
        log_p_s = F.log_softmax(student.reshape(-1, student.shape[-1]) / t,
                                dim=-1)
        log_p_t = F.log_softmax(
            teacher.detach().to(student.dtype).reshape(log_p_s.shape) / t,
            dim=-1)
        per_row = F.kl_div(
            log_p_s, log_p_t, reduction='none', log_target=True).sum(-1)
        if self.reduction == 'batchmean':
            loss = per_row.mean()
        elif self.reduction == 'sum':
            loss = per_row.sum()
        else:
            loss = per_row.reshape(student.shape[:-1])
        return self.loss_weight * t * t * loss


@MODELS.register_module()
class FeatureMSEKD(_KDLoss):
    """Mean squared error between student and teacher features.

    Args:
        normalize (str, optional): Applied to both features first.
            ``'l2'``: scale each sample's flattened feature to unit length;
            ``'channel'``: standardise the channels at each position (a
            layer norm without affine parameters; channels are dim 1 of
            ``(N, C, H, W)`` maps, the last dim otherwise). None compares
            raw features. Defaults to None.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str): Log key. Defaults to ``'loss_kd_feat_mse'``.

    Example:
        >>> loss = dict(type='FeatureMSEKD', normalize='channel',
        ...             loss_weight=1.0)
    """

    default_name = 'loss_kd_feat_mse'

    def __init__(self, normalize: Optional[str] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        if normalize not in (None, 'l2', 'channel'):
            raise ValueError("normalize must be None, 'l2' or 'channel', "
                             f'got {normalize!r}')
        self.normalize = normalize

    def _norm(self, feat: torch.Tensor) -> torch.Tensor:
        if self.normalize == 'l2':
            flat = F.normalize(feat.reshape(feat.size(0), -1), dim=1)
            return flat.reshape(feat.shape)
        if self.normalize == 'channel':
            dim = _channel_dim(feat)
            mean = feat.mean(dim, keepdim=True)
            var = feat.var(dim, unbiased=False, keepdim=True)
            return (feat - mean) / torch.sqrt(var + 1e-6)
        return feat

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student features ``(N, ...)``.
            teacher (Tensor): Teacher features of the same shape.

        Returns:
            Tensor: The weighted loss (mean over all elements).
        """
        _check_same_shape(self, student, teacher)
        teacher = teacher.detach().to(student.dtype)
        loss = F.mse_loss(self._norm(student), self._norm(teacher))
        return self.loss_weight * loss


@MODELS.register_module()
class FeatureCosineKD(_KDLoss):
    """One minus the cosine similarity of student and teacher features.

    Args:
        mode (str): ``'flatten'`` compares each sample's whole flattened
            feature; ``'channel'`` compares the channel vectors at each
            spatial position or token (channels are dim 1 of
            ``(N, C, H, W)`` maps, the last dim otherwise) and averages.
            Defaults to ``'flatten'``.
        eps (float): Guards against zero-length vectors. Defaults to 1e-8.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str): Log key. Defaults to ``'loss_kd_feat_cos'``.

    Example:
        >>> loss = dict(type='FeatureCosineKD', mode='channel')
    """

    default_name = 'loss_kd_feat_cos'

    def __init__(self,
                 mode: str = 'flatten',
                 eps: float = 1e-8,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if mode not in ('flatten', 'channel'):
            raise ValueError(
                f"mode must be 'flatten' or 'channel', got {mode!r}")
        self.mode = mode
        self.eps = eps

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student features ``(N, ...)``.
            teacher (Tensor): Teacher features of the same shape.

        Returns:
            Tensor: The weighted loss in ``[0, 2]`` before weighting.
        """
        _check_same_shape(self, student, teacher)
        teacher = teacher.detach().to(student.dtype)
        if self.mode == 'flatten':
            cos = F.cosine_similarity(
                student.reshape(student.size(0), -1),
                teacher.reshape(teacher.size(0), -1),
                dim=1,
                eps=self.eps)
        else:
            cos = F.cosine_similarity(
                student, teacher, dim=_channel_dim(student), eps=self.eps)
        return self.loss_weight * (1 - cos).mean()


def _pairwise_distances(x: torch.Tensor, eps: float) -> torch.Tensor:
    """Euclidean distance matrix of the rows of ``x``; zero diagonal.

    Uses ``|a|^2 + |b|^2 - 2ab`` so memory is ``O(N^2)``, not
    ``O(N^2 D)``, and clamps before the square root to keep gradients
    finite. Rows are centred first (distances do not change) to limit
    cancellation.
    """
    x = x - x.mean(0, keepdim=True)
    sq = x.pow(2).sum(1)
    d2 = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * x @ x.t()).clamp(min=eps)
    off_diag = ~torch.eye(x.size(0), dtype=torch.bool, device=x.device)
    return d2.sqrt() * off_diag


@MODELS.register_module()
class RelationalDistanceKD(_KDLoss):
    """Relational KD on distances (RKD-D, Park et al., 2019).

    Each sample's feature is flattened; the matrices of pairwise Euclidean
    distances within the batch are computed for student and teacher, each
    is divided by its mean off-diagonal distance, and the two are compared
    with a smooth L1 loss over the off-diagonal entries. Only the geometry
    of the batch is transferred, so the student may have any width and the
    loss does not change when either feature is scaled.

    Args:
        beta (float): Smooth L1 threshold. Defaults to 1.0.
        eps (float): Numerical floor of squared distances and of the mean
            distance. Defaults to 1e-12.
        loss_weight (float): Multiplier of the loss. RKD uses 25. Defaults
            to 1.0.
        loss_name (str): Log key. Defaults to ``'loss_kd_rkd_dist'``.

    Example:
        >>> loss = dict(type='RelationalDistanceKD', loss_weight=25.0)
    """

    default_name = 'loss_kd_rkd_dist'

    def __init__(self, beta: float = 1.0, eps: float = 1e-12,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.beta = beta
        self.eps = eps

    def _normalised_distances(self, feat: torch.Tensor) -> torch.Tensor:
        dist = _pairwise_distances(feat.reshape(feat.size(0), -1), self.eps)
        n = feat.size(0)
        mean = dist.sum() / (n * (n - 1))
        return dist / mean.clamp(min=self.eps)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student features ``(N, ...)``.
            teacher (Tensor): Teacher features ``(N, ...)``, any width.

        Returns:
            Tensor: The weighted loss; zero for batches of fewer than two.
        """
        n = student.size(0)
        if teacher.size(0) != n:
            raise ValueError(f'Batch sizes differ: student {n}, teacher '
                             f'{teacher.size(0)}')
        if n < 2:
            return student.sum() * 0
        student = student.float()
        with torch.no_grad():
            target = self._normalised_distances(teacher.detach().float())
        pred = self._normalised_distances(student)
        off_diag = ~torch.eye(n, dtype=torch.bool, device=student.device)
        loss = F.smooth_l1_loss(
            pred[off_diag], target[off_diag], beta=self.beta)
        return self.loss_weight * loss


@MODELS.register_module()
class RelationalAngleKD(_KDLoss):
    """Relational KD on angles (RKD-A, Park et al., 2019).

    For every anchor ``j`` and pair ``i, k`` of other samples, the cosine
    of the angle at ``j`` between ``x_i - x_j`` and ``x_k - x_j`` is
    computed for student and teacher features (flattened per sample) and
    compared with a smooth L1 loss, averaged over the ``N (N - 1)^2``
    triplets whose ends differ from the anchor.

    The cosines are derived from the ``N x N`` Gram matrix of the batch
    instead of the ``N x N x D`` difference vectors, so memory is
    ``O(N^3 + N D)`` whatever the feature width: a few MB for batches of
    64, a few hundred MB at 256. Use it with batches of moderate size.

    Args:
        beta (float): Smooth L1 threshold. Defaults to 1.0.
        eps (float): Floor of squared distances. Defaults to 1e-12.
        loss_weight (float): Multiplier of the loss. RKD uses 50. Defaults
            to 1.0.
        loss_name (str): Log key. Defaults to ``'loss_kd_rkd_angle'``.

    Example:
        >>> loss = dict(type='RelationalAngleKD', loss_weight=50.0)
    """

    default_name = 'loss_kd_rkd_angle'

    def __init__(self, beta: float = 1.0, eps: float = 1e-12,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.beta = beta
        self.eps = eps

    def _angles(self, feat: torch.Tensor) -> torch.Tensor:
        """Cosines ``(N, N, N)``, anchor first; zero where an end is the
        anchor."""
        x = feat.reshape(feat.size(0), -1)
        x = x - x.mean(0, keepdim=True)
        gram = x @ x.t()
        sq = gram.diagonal()
        dist = (sq.unsqueeze(1) + sq.unsqueeze(0) - 2 * gram).clamp(
            min=self.eps).sqrt()
        # <x_i - x_j, x_k - x_j> = G_ik - G_ji - G_jk + G_jj for anchor j.
        dots = (gram.unsqueeze(0) - gram.unsqueeze(2) - gram.unsqueeze(1) +
                sq.reshape(-1, 1, 1))
        cos = dots / (dist.unsqueeze(2) * dist.unsqueeze(1))
        n = x.size(0)
        eye = torch.eye(n, dtype=torch.bool, device=x.device)
        degenerate = eye.unsqueeze(2) | eye.unsqueeze(1)
        return cos.masked_fill(degenerate, 0)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student features ``(N, ...)``.
            teacher (Tensor): Teacher features ``(N, ...)``, any width.

        Returns:
            Tensor: The weighted loss; zero for batches of fewer than three.
        """
        n = student.size(0)
        if teacher.size(0) != n:
            raise ValueError(f'Batch sizes differ: student {n}, teacher '
                             f'{teacher.size(0)}')
        if n < 3:
            return student.sum() * 0
        with torch.no_grad():
            target = self._angles(teacher.detach().float())
        pred = self._angles(student.float())
        # Degenerate entries are zero for both networks and add nothing.
        total = F.smooth_l1_loss(pred, target, beta=self.beta, reduction='sum')
        return self.loss_weight * total / (n * (n - 1)**2)
