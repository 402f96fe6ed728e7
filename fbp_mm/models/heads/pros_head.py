"""ProS losses: self-distillation with centering and prototype matching."""
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS

ViewOutputs = Sequence[Tuple[torch.Tensor, torch.Tensor]]


def cross_view_cross_entropy(teacher_probs: Sequence[torch.Tensor],
                             student_logits: Sequence[torch.Tensor],
                             student_temp: float) -> torch.Tensor:
    """Mean cross-entropy from each teacher view to every other student view.

    Teacher view ``i`` is the same crop as student view ``i`` (the global
    views come first in both lists); pairs of the same view are skipped,
    as in DINO.

    Args:
        teacher_probs (Sequence[Tensor]): ``(N, K)`` target distributions,
            one per teacher (global) view.
        student_logits (Sequence[Tensor]): ``(N, K)`` logits (before the
            temperature), one per student view.
        student_temp (float): Temperature of the student softmax.

    Returns:
        Tensor: Scalar loss averaged over the pairs and the batch.

    Example:
        >>> import torch
        >>> t = [torch.softmax(torch.randn(2, 5), -1) for _ in range(2)]
        >>> s = [torch.randn(2, 5) for _ in range(3)]
        >>> cross_view_cross_entropy(t, s, 0.1).shape
        torch.Size([])
    """
    total, pairs = 0., 0
    log_probs = [F.log_softmax(s / student_temp, dim=-1)
                 for s in student_logits]
    for i, target in enumerate(teacher_probs):
        for j, log_p in enumerate(log_probs):
            if i == j:
                continue
            total = total + torch.sum(-target * log_p, dim=-1).mean()
            pairs += 1
    if pairs == 0:
        raise ValueError('Cross-view loss needs at least two views.')
    return total / pairs


def entropy(probs: torch.Tensor) -> torch.Tensor:
    """Entropy (nats) of each row of ``probs``; ``(N, K)`` → ``(N,)``."""
    return -(probs * torch.log(probs.clamp_min(1e-12))).sum(dim=-1)


@MODELS.register_module()
class ProSHead(BaseModule):
    """The two ProS objectives on projector outputs of student and teacher.

    - **Self-distillation** (DINO-style): the teacher's logits are centred
      (an EMA ``center`` of their batch mean is subtracted) and sharpened
      (divided by ``teacher_temp``, small) before the softmax; the student's
      are divided by ``student_temp``; the loss is the cross-entropy from
      each teacher view to each other student view. Centering keeps one
      dimension from dominating, sharpening keeps the output from becoming
      uniform: together they are DINO's guard against collapse.
    - **Prototype matching**: the same cross-view cross-entropy between the
      softmax distributions of teacher and student similarities to the
      prototypes, with their own temperatures (``proto_teacher_temp``,
      ``proto_student_temp``), and centred the same way when
      ``center_proto`` (a choice: the paper's abstract does not say; off
      reproduces a plain cross-entropy).

    ``teacher_temp`` is usually warmed up during training by
    :class:`~fbp_mm.engine.hooks.TeacherTemperatureHook`. Besides the losses
    the head reports, without gradient: ``teacher_entropy`` (mean entropy
    of the teacher's self-distillation distribution per image; near 0 means
    every image maps to one-hot outputs), ``teacher_batch_entropy`` (entropy
    of the distribution averaged over the batch; near 0 means all images
    map to the same dimension, i.e. collapse) and ``proto_entropy`` (the
    same per-image entropy for the prototype distribution).

    Args:
        out_channels (int): Width of the self-distillation logits.
        num_prototypes (int): Number of prototypes.
        student_temp (float): Defaults to 0.1.
        teacher_temp (float): Starting teacher temperature. Defaults to 0.04.
        center_momentum (float): EMA momentum of the centers (weight of the
            old center). Defaults to 0.9.
        proto_student_temp (float): Defaults to 0.1.
        proto_teacher_temp (float): Defaults to 0.05.
        center_proto (bool): Centre the teacher's prototype similarities.
            Defaults to True.
        loss_weight (float): Weight of the self-distillation loss
            (``loss_sd``); 0 turns it off. Defaults to 1.0.
        proto_loss_weight (float): Weight of the prototype matching loss
            (``loss_proto``); 0 turns it off. Defaults to 1.0.
        init_cfg (dict, optional): Initialisation config.

    Example:
        >>> import torch
        >>> head = ProSHead(out_channels=6, num_prototypes=4)
        >>> student = [(torch.randn(2, 6), torch.randn(2, 4))
        ...            for _ in range(3)]
        >>> teacher = student[:2]
        >>> sorted(head.loss(student, teacher))
        ['loss_proto', 'loss_sd', 'proto_entropy', 'teacher_batch_entropy', \
'teacher_entropy']
    """

    def __init__(self,
                 out_channels: int,
                 num_prototypes: int,
                 student_temp: float = 0.1,
                 teacher_temp: float = 0.04,
                 center_momentum: float = 0.9,
                 proto_student_temp: float = 0.1,
                 proto_teacher_temp: float = 0.05,
                 center_proto: bool = True,
                 loss_weight: float = 1.0,
                 proto_loss_weight: float = 1.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.student_temp = student_temp
        self.teacher_temp = teacher_temp
        self.center_momentum = center_momentum
        self.proto_student_temp = proto_student_temp
        self.proto_teacher_temp = proto_teacher_temp
        self.center_proto = center_proto
        self.loss_weight = loss_weight
        self.proto_loss_weight = proto_loss_weight
        self.register_buffer('center', torch.zeros(1, out_channels))
        self.register_buffer('proto_center', torch.zeros(1, num_prototypes))

    @torch.no_grad()
    def teacher_targets(self, logits: Sequence[torch.Tensor],
                        center: torch.Tensor,
                        temp: float) -> List[torch.Tensor]:
        """Centred, sharpened softmax of each teacher view."""
        return [F.softmax((x - center) / temp, dim=-1) for x in logits]

    @torch.no_grad()
    def update_center(self, center: torch.Tensor,
                      logits: Sequence[torch.Tensor]) -> None:
        """EMA of the batch mean of teacher outputs (over all processes)."""
        batch = torch.cat(list(logits)).float()
        mean = batch.sum(dim=0, keepdim=True)
        count = torch.tensor(float(batch.shape[0]), device=batch.device)
        all_reduce(mean)
        all_reduce(count)
        center.mul_(self.center_momentum).add_(
            mean / count, alpha=1 - self.center_momentum)

    def loss(self, student: ViewOutputs,
             teacher: ViewOutputs) -> Dict[str, torch.Tensor]:
        """Both losses and the collapse monitors.

        Args:
            student (Sequence[tuple]): ``(logits, proto)`` per student view,
                global views first.
            teacher (Sequence[tuple]): ``(logits, proto)`` per teacher
                (global) view, in the same order.

        Returns:
            dict[str, Tensor]: ``loss_sd``, ``loss_proto`` and the monitors.
        """
        t_logits = [t[0].detach().float() for t in teacher]
        t_proto = [t[1].detach().float() for t in teacher]
        targets = self.teacher_targets(t_logits, self.center,
                                       self.teacher_temp)
        proto_center = self.proto_center if self.center_proto \
            else torch.zeros_like(self.proto_center)
        proto_targets = self.teacher_targets(t_proto, proto_center,
                                             self.proto_teacher_temp)
        losses = {}
        losses['loss_sd'] = self.loss_weight * cross_view_cross_entropy(
            targets, [s[0].float() for s in student], self.student_temp)
        losses['loss_proto'] = self.proto_loss_weight * \
            cross_view_cross_entropy(proto_targets,
                                     [s[1].float() for s in student],
                                     self.proto_student_temp)
        with torch.no_grad():
            probs = torch.cat(targets)
            losses['teacher_entropy'] = entropy(probs).mean()
            losses['teacher_batch_entropy'] = entropy(
                probs.mean(dim=0, keepdim=True)).mean()
            losses['proto_entropy'] = entropy(torch.cat(proto_targets)).mean()
        if self.training:
            self.update_center(self.center, t_logits)
            if self.center_proto:
                self.update_center(self.proto_center, t_proto)
        return losses
