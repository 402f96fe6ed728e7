"""ProS: prototype-based self-distillation between a ViT and its EMA."""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmpretrain.models.selfsup import BaseSelfSupervisor
from mmpretrain.models.utils import CosineEMA
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

#: Prefix of the teacher's backbone weights in a ProS checkpoint, for
#: ``init_cfg=dict(type='Pretrained', prefix=TEACHER_BACKBONE_PREFIX)``.
TEACHER_BACKBONE_PREFIX = 'teacher.module.backbone.'


def forward_views(net: nn.Module, views: Sequence[torch.Tensor]
                  ) -> List[Tuple[torch.Tensor, torch.Tensor]]:
    """Run ``net`` over views, batching consecutive views of one size.

    Args:
        net (nn.Module): Backbone followed by the projector.
        views (Sequence[Tensor]): ``(N, 3, H, W)`` batches, one per view.

    Returns:
        list[tuple[Tensor, Tensor]]: The projector's ``(logits, proto)``
        for each view, in order.
    """
    outputs, start = [], 0
    while start < len(views):
        end = start
        while (end < len(views)
               and views[end].shape[-2:] == views[start].shape[-2:]):
            end += 1
        logits, proto = net(torch.cat(list(views[start:end])))
        outputs.extend(zip(logits.chunk(end - start),
                           proto.chunk(end - start)))
        start = end
    return outputs


@MODELS.register_module()
class ProS(BaseSelfSupervisor):
    """ProS self-supervised pretraining (Di et al., WACV 2024).

    A student (``backbone`` + ``neck``, a :class:`ProSProjector`) sees every
    view of an image (global crops first, then local crops, e.g. from
    :class:`~fbp_mm.datasets.transforms.MultiCrop`); a teacher, an EMA of
    the student (MMPretrain's :class:`CosineEMA`, prototypes included),
    sees the global views only. The ``head`` (:class:`ProSHead`) computes
    the self-distillation loss and the prototype matching loss between
    them. The teacher is updated inside :meth:`loss`, before its forward
    pass, from the student's current weights, and never gets gradients.

    **Momentum.** DINO states the teacher momentum as the weight of the
    *old teacher*, annealed from 0.996 to 1 with a cosine. MMEngine's EMA
    ``momentum`` is the weight of the *student*: pass
    ``teacher_momentum = 1 - 0.996 = 0.004`` and ``teacher_end_momentum =
    1 - 1 = 0``. The cosine runs over the run's ``max_iters`` (read from
    the message hub, so it follows the config's schedule).

    After pretraining, the teacher's backbone is the representation to
    fine-tune: load it with ``init_cfg=dict(type='Pretrained',
    checkpoint=..., prefix='teacher.module.backbone.')``.

    Args:
        backbone (dict): Student backbone returning the class token, e.g.
            ``dict(type='VisionTransformer', out_type='cls_token', ...)``.
        neck (dict): :class:`ProSProjector` config.
        head (dict): :class:`ProSHead` config.
        num_global_views (int): How many leading views are global (seen by
            the teacher). Defaults to 2.
        teacher_momentum (float): Start weight of the student in the EMA.
            Defaults to 0.004 (teacher momentum 0.996).
        teacher_end_momentum (float): End weight of the student.
            Defaults to 0.0 (teacher momentum 1).
        pretrained (str, optional): Checkpoint to start from.
        data_preprocessor (dict, optional): Defaults to
            ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Initialisation config.

    Example:
        >>> model = dict(
        ...     type='ProS',
        ...     backbone=dict(type='VisionTransformer', arch='small',
        ...                   img_size=224, patch_size=16,
        ...                   out_type='cls_token'),
        ...     neck=dict(type='ProSProjector', in_channels=384,
        ...               out_channels=65536, num_prototypes=256),
        ...     head=dict(type='ProSHead', out_channels=65536,
        ...               num_prototypes=256),
        ...     teacher_momentum=0.004)
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 num_global_views: int = 2,
                 teacher_momentum: float = 0.004,
                 teacher_end_momentum: float = 0.0,
                 pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            pretrained=pretrained,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg)
        if num_global_views < 1:
            raise ValueError('ProS needs at least one global view, got '
                             f'num_global_views={num_global_views}')
        self.num_global_views = num_global_views
        self.teacher = CosineEMA(
            self.student(),
            momentum=teacher_momentum,
            end_momentum=teacher_end_momentum)
        self.teacher.module.eval()

    def init_weights(self) -> None:
        """Initialise the student, then start the teacher as its copy."""
        super().init_weights()
        self.teacher.module.load_state_dict(self.student().state_dict())

    def student(self) -> nn.Sequential:
        """The student's backbone and projector as one module (the layout
        of ``teacher.module``)."""
        return nn.Sequential(
            OrderedDict(backbone=self.backbone, neck=self.neck))

    def train(self, mode: bool = True) -> 'ProS':
        """Set the training mode; the teacher always stays in eval mode
        (no dropout or drop path on the targets)."""
        super().train(mode)
        self.teacher.module.eval()
        return self

    def loss(self, inputs: List[torch.Tensor],
             data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Update the teacher, then both ProS losses.

        Args:
            inputs (list[Tensor]): One ``(N, 3, H, W)`` batch per view,
                the ``num_global_views`` global ones first.
            data_samples (list[DataSample]): Unused (no labels).

        Returns:
            dict[str, Tensor]: ``loss_sd``, ``loss_proto`` and the
            teacher's entropies (logged, not optimised).
        """
        if not isinstance(inputs, (list, tuple)) \
                or len(inputs) <= self.num_global_views:
            count = len(inputs) if isinstance(inputs, (list, tuple)) else 1
            raise ValueError(
                f'ProS takes a list of more than num_global_views='
                f'{self.num_global_views} views per image (got {count}); '
                "use the 'MultiCrop' transform in the training pipeline")
        student = self.student()
        self.teacher.update_parameters(student)
        with torch.no_grad():
            teacher_out = forward_views(self.teacher.module,
                                        inputs[:self.num_global_views])
        student_out = forward_views(student, inputs)
        return self.head.loss(student_out, teacher_out)
