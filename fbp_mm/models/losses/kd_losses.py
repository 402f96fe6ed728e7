"""Knowledge-distillation losses between student and teacher tensors.

Every loss is called as ``loss(student, teacher)`` and returns a scalar
already multiplied by ``loss_weight``. The teacher tensor is treated as a
constant (it is detached). In a ``TeacherStudentDistiller`` config map the
recorded tensors onto the ``student`` and ``teacher`` arguments.
"""
from typing import Optional, Tuple

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


def _pair_differences(x: torch.Tensor, eps: float
                      ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Differences, distances and validity of all pairs of rows of ``x``.

    The differences ``x_j - x_i`` are taken directly, in float32, so
    nearby rows keep their precise distance (a Gram matrix
    ``|a|^2 + |b|^2 - 2ab`` loses it to cancellation). A pair is
    degenerate when its distance is at most ``eps`` times the largest
    distance of the batch (duplicate rows, the diagonal, a batch of equal
    rows); its distance is exactly 0 and passes no gradient.

    Args:
        x (Tensor): Rows ``(N, D)``.
        eps (float): Relative threshold of degenerate pairs.

    Returns:
        tuple[Tensor, Tensor, Tensor]: Differences ``(N, N, D)`` with
        ``diff[i, j] = x_j - x_i``, distances ``(N, N)`` and the boolean
        ``(N, N)`` mask of non-degenerate pairs.
    """
    x = x.float()
    diff = x.unsqueeze(0) - x.unsqueeze(1)
    sq = diff.pow(2).sum(-1)
    with torch.no_grad():
        valid = sq > (eps**2) * sq.max()
    # Square roots only of valid entries: sqrt'(0) would be infinite.
    dist = torch.where(valid, sq, torch.ones_like(sq)).sqrt() * valid
    return diff, dist, valid


@MODELS.register_module()
class RelationalDistanceKD(_KDLoss):
    """Relational KD on distances (RKD-D, Park et al., 2019).

    Each sample's feature is flattened; the matrices of pairwise Euclidean
    distances within the batch are computed for student and teacher, each
    is divided by its mean distance over the non-degenerate pairs, and the
    two are compared with a smooth L1 loss over the off-diagonal entries.
    Only the geometry of the batch is transferred, so the student may have
    any width and the loss does not change when either feature is scaled.

    The computation is float32 whatever the input dtype (bf16 features
    work) and uses direct differences (memory ``O(N^2 D)``). Pairs closer
    than ``eps`` times the batch's largest distance count as coinciding:
    their distance is 0, without gradient, and they are left out of the
    mean. Duplicate or all-zero rows thus give a finite loss with bounded
    gradients; a teacher batch whose rows all coincide has no geometry to
    transfer and gives 0.

    Args:
        beta (float): Smooth L1 threshold. Defaults to 1.0.
        eps (float): Relative distance below which a pair is degenerate.
            Defaults to 1e-6.
        loss_weight (float): Multiplier of the loss. RKD uses 25. Defaults
            to 1.0.
        loss_name (str): Log key. Defaults to ``'loss_kd_rkd_dist'``.

    Example:
        >>> loss = dict(type='RelationalDistanceKD', loss_weight=25.0)
    """

    default_name = 'loss_kd_rkd_dist'

    def __init__(self, beta: float = 1.0, eps: float = 1e-6,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.beta = beta
        self.eps = eps

    def _normalised_distances(
            self, feat: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        _, dist, valid = _pair_differences(
            feat.reshape(feat.size(0), -1), self.eps)
        count = valid.sum()
        mean = dist.sum() / count.clamp(min=1)
        # No valid pair: every distance is 0 and stays 0.
        mean = torch.where(count > 0, mean, torch.ones_like(mean))
        return dist / mean, count

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student features ``(N, ...)``.
            teacher (Tensor): Teacher features ``(N, ...)``, any width.

        Returns:
            Tensor: The weighted float32 loss; zero for batches of fewer
            than two, or when all teacher rows coincide.
        """
        n = student.size(0)
        if teacher.size(0) != n:
            raise ValueError(f'Batch sizes differ: student {n}, teacher '
                             f'{teacher.size(0)}')
        zero = student.float().sum() * 0
        if n < 2:
            return zero
        with torch.no_grad():
            target, teacher_pairs = self._normalised_distances(
                teacher.detach())
        pred, _ = self._normalised_distances(student)
        off_diag = ~torch.eye(n, dtype=torch.bool, device=student.device)
        loss = F.smooth_l1_loss(
            pred[off_diag], target[off_diag], beta=self.beta)
        # Without a teacher pair there is nothing to transfer (checked
        # without a host sync).
        return self.loss_weight * loss * (teacher_pairs > 0)


@MODELS.register_module()
class RelationalAngleKD(_KDLoss):
    """Relational KD on angles (RKD-A, Park et al., 2019).

    For every anchor ``j`` and pair ``i, k`` of other samples, the cosine
    of the angle at ``j`` between ``x_i - x_j`` and ``x_k - x_j`` is
    computed for student and teacher features (flattened per sample) and
    compared with a smooth L1 loss, averaged over the valid triplets
    (``N (N - 1)^2`` of them when no two teacher rows coincide; ``i = k``
    counts, with cosine 1).

    The computation is float32 whatever the input dtype, from the unit
    vectors of the direct differences (memory ``O(N^2 D + N^3)``), and the
    cosines are clamped to ``[-1, 1]``. A pair closer than ``eps`` times
    the batch's largest distance is degenerate: its direction is
    undefined. Triplets with a degenerate teacher pair have no target and
    are left out of the sum and of the count; a degenerate student pair
    has a zero unit vector (cosine 0) that passes no gradient. So
    duplicate or all-zero rows give a finite loss with bounded gradients;
    with no valid triplet the loss is 0.

    Args:
        beta (float): Smooth L1 threshold. Defaults to 1.0.
        eps (float): Relative distance below which a pair is degenerate.
            Defaults to 1e-6.
        loss_weight (float): Multiplier of the loss. RKD uses 50. Defaults
            to 1.0.
        loss_name (str): Log key. Defaults to ``'loss_kd_rkd_angle'``.

    Example:
        >>> loss = dict(type='RelationalAngleKD', loss_weight=50.0)
    """

    default_name = 'loss_kd_rkd_angle'

    def __init__(self, beta: float = 1.0, eps: float = 1e-6,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.beta = beta
        self.eps = eps

    def _angles(self,
                feat: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Cosines ``(N, N, N)`` indexed ``[anchor, i, k]`` and the mask of
        triplets whose two pairs are both non-degenerate."""
        diff, dist, valid = _pair_differences(
            feat.reshape(feat.size(0), -1), self.eps)
        safe = torch.where(valid, dist, torch.ones_like(dist))
        unit = diff / safe.unsqueeze(-1) * valid.unsqueeze(-1)
        cos = torch.bmm(unit, unit.transpose(1, 2)).clamp(-1.0, 1.0)
        return cos, valid.unsqueeze(2) & valid.unsqueeze(1)

    def forward(self, student: torch.Tensor,
                teacher: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            student (Tensor): Student features ``(N, ...)``.
            teacher (Tensor): Teacher features ``(N, ...)``, any width.

        Returns:
            Tensor: The weighted float32 loss; zero for batches of fewer
            than three, or without a valid teacher triplet.
        """
        n = student.size(0)
        if teacher.size(0) != n:
            raise ValueError(f'Batch sizes differ: student {n}, teacher '
                             f'{teacher.size(0)}')
        zero = student.float().sum() * 0
        if n < 3:
            return zero
        with torch.no_grad():
            target, triplets = self._angles(teacher.detach())
        pred, _ = self._angles(student)
        per_triplet = F.smooth_l1_loss(
            pred, target, beta=self.beta, reduction='none')
        total = (per_triplet * triplets).sum()
        return self.loss_weight * total / triplets.sum().clamp(min=1)
