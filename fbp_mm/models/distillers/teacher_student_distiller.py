"""Teacher-student knowledge distillation as an MMPretrain model."""
import copy
import inspect
import logging
from contextlib import nullcontext
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseDataPreprocessor, BaseModel
from mmengine.runner.checkpoint import load_state_dict
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...engine.checkpoint_loading import load_trusted_checkpoint
from .network_config import plain_copy, resolve_network_cfg
from .recorder import ModuleOutputRecorder
from .teacher_cache import TeacherOutputCache, sample_key
from .teacher_checkpoint import (NoTeacherCheckpointError,
                                 check_teacher_ckpt_exists,
                                 no_teacher_ckpt_message,
                                 select_teacher_state_dict)

NetworkCfg = Union[dict, nn.Module]

#: Keys an argument mapping of ``loss_forward_mappings`` may hold.
_ARG_KEYS = {'from_student', 'recorder', 'connector'}


def _normalisation(preprocessor: Optional[nn.Module]
                   ) -> Tuple[Optional[torch.Tensor], Optional[torch.Tensor],
                              bool]:
    """``(mean, std, to_rgb)`` of a data preprocessor.

    Understands MMPretrain's ``ClsDataPreprocessor`` (``to_rgb``) and
    MMEngine's ``ImgDataPreprocessor`` family (``bgr_to_rgb``), whose
    channel swap comes before the normalisation; a plain
    ``BaseDataPreprocessor`` (or None) changes nothing. ``mean`` and ``std``
    are None without normalisation.
    """
    if preprocessor is None or type(preprocessor) is BaseDataPreprocessor:
        return None, None, False
    if not hasattr(preprocessor, '_enable_normalize'):
        raise TypeError(
            'TeacherStudentDistiller derives the teacher inputs from the '
            'student inputs and needs the mean, std and channel order of '
            'both data preprocessors; it cannot read them from '
            f'{type(preprocessor).__name__}. Use ClsDataPreprocessor (or '
            'another ImgDataPreprocessor) for the student and the teacher.')
    to_rgb = bool(
        getattr(preprocessor, 'to_rgb',
                getattr(preprocessor, '_channel_conversion', False)))
    if preprocessor._enable_normalize:
        return preprocessor.mean, preprocessor.std, to_rgb
    return None, None, to_rgb


def _same_normalisation(a: tuple, b: tuple) -> bool:
    """Whether two ``(mean, std, to_rgb)`` triples process alike."""
    if a[2] != b[2]:
        return False
    for x, y in zip(a[:2], b[:2]):
        if (x is None) != (y is None):
            return False
        if x is not None and not torch.equal(x.cpu().float(),
                                             y.cpu().float()):
            return False
    return True


#: Preprocessor types built as PartlyLabeledDataPreprocessor.
_CLS_PREPROCESSORS = ('ClsDataPreprocessor', 'mmpretrain.ClsDataPreprocessor')
#: Target fields of a labeled sample (regression, classification).
_TARGET_KEYS = ('gt_score', 'gt_label')


def _labeled_indices(
        data_samples: Optional[List[DataSample]]) -> Optional[List[int]]:
    """Indices of the samples that carry a target, or None if all do."""
    if not data_samples:
        return None
    labeled = [
        i for i, sample in enumerate(data_samples)
        if any(key in sample for key in _TARGET_KEYS)
    ]
    return None if len(labeled) == len(data_samples) else labeled


@MODELS.register_module()
class TeacherStudentDistiller(BaseModel):
    """Train a student network with help from a frozen teacher.

    Both networks are complete MMPretrain models (usually
    ``ImageClassifier`` with a ``RegressionHead`` or
    ``DistributionRegressionHead``). The teacher never trains: its
    parameters have ``requires_grad=False``, it stays in eval mode (so its
    norm layers use running statistics) even after ``model.train()``, and
    it runs under ``torch.no_grad()``, optionally under bf16 autocast.

    **What the teacher sees.** One data pipeline feeds both networks, so
    the teacher and the student see the same augmented image: the same
    crop, flip, colour jitter, padding and, with batch augments such as
    Mixup or CutMix in the distiller's data preprocessor, the same mixed
    image (batch augments are not drawn again for the teacher). What
    belongs to the teacher is how that image is encoded:

    * normalisation: the teacher model's own ``data_preprocessor`` (from
      its model config, or the top-level ``data_preprocessor`` of its
      ``cfg_path`` file) gives its ``mean``, ``std`` and ``to_rgb``. In
      ``'loss'`` mode the student's normalisation is undone on the
      student's preprocessed batch (``x * std + mean``), the channels are
      swapped when the two ``to_rgb`` settings differ, and the teacher's
      normalisation is applied. The result equals the teacher's own
      preprocessor run on the same augmented image.
    * resolution: with ``teacher_input_size`` set, that batch is resized to
      it on the device (bilinear, ``align_corners=False``, no antialias);
      the teacher's own resize of its data pipeline is not used.

    Both preprocessors must be ``ClsDataPreprocessor``,
    ``ImgDataPreprocessor``-like (``mean``/``std``/``bgr_to_rgb``) or a
    plain ``BaseDataPreprocessor`` (no normalisation).

    Distillation is wired in three steps:

    1. ``student_recorders`` / ``teacher_recorders`` keep the output of
       named submodules during the training step (see
       :class:`ModuleOutputRecorder`): e.g. the head's scores or logits,
       the last backbone stage.
    2. ``connectors`` are learnable projections (``LinearConnector``,
       ``ConvConnector``) that map a recorded tensor to the other network's
       shape; they train with the student.
    3. ``distill_losses`` build the losses and ``loss_forward_mappings``
       say which tensors each loss receives, by keyword. The KD losses of
       :mod:`fbp_mm.models.losses.kd_losses` take ``student`` and
       ``teacher``; ``MSELoss`` / ``L1Loss`` (response KD on scores) take
       ``pred`` and ``target``. Each argument is
       ``dict(from_student=bool, recorder=name, connector=name or None)``.

    In ``'loss'`` mode the result holds the student's own supervised
    losses (``student_task_loss=True``; keys unchanged, e.g. ``loss_mse``,
    each multiplied by ``task_loss_weight``) plus one entry per
    distillation loss, logged under its ``distill_losses`` key if that
    contains ``'loss'``, else under ``'loss_kd_<key>'``. ``'predict'`` and
    ``'tensor'`` use the student alone, so validation and testing measure
    the student. Samples without a target (no ``gt_score`` /
    ``gt_label``: e.g. images of an :class:`UnlabeledFaceDataset`
    concatenated with the labeled set) are distilled like the others but
    left out of the student's task loss, so the teacher can teach on
    unlabeled faces. :meth:`extract_feat` and :meth:`get_layer_depth` delegate
    to the student, and ``backbone`` / ``neck`` / ``head`` are the
    student's. Checkpoints contain both networks (``student.*``,
    ``teacher.*``); ``tools/extract_student.py`` (see
    :func:`extract_student_checkpoint`) writes the student alone with its
    plain config.

    Args:
        student (dict | nn.Module): Student model config, or
            ``dict(cfg_path=..., **overrides)`` (see
            :func:`resolve_network_cfg`).
        teacher (dict | nn.Module): Teacher model config, same forms. Its
            ``data_preprocessor`` sets the teacher's normalisation.
        teacher_ckpt (str, optional): Teacher checkpoint, loaded on CPU
            when the distiller is built (after which the teacher's own
            ``init_cfg`` is skipped by ``init_weights``). Accepted: an
            MMEngine / MMPretrain checkpoint of the plain teacher model
            (``backbone.*``, ``head.*`` keys; a bare state dict works too),
            or a distiller checkpoint, from which the ``teacher.*`` weights
            are taken (see :func:`select_teacher_state_dict`). Keys must
            match the teacher exactly. A local path that does not exist
            raises :class:`TeacherCheckpointNotFoundError`. Defaults to
            None, which raises :class:`NoTeacherCheckpointError` unless
            ``teacher_ckpt_optional`` is True.
        teacher_ckpt_optional (bool): Allow ``teacher_ckpt=None``: the
            teacher is then initialised from its own ``init_cfg`` (e.g.
            ``Pretrained`` from a model zoo) when the runner calls
            ``init_weights``, and a warning is logged. Defaults to False.
        teacher_ckpt_hint (str, optional): How to obtain the teacher
            checkpoint (which recipe stage or command makes it); appended
            to both checkpoint errors. Defaults to None.
        teacher_ckpt_prefix (str, optional): Take the teacher weights from
            the checkpoint keys with this prefix, e.g. ``'student.'`` to use
            the student of an earlier distillation. Defaults to None
            (detect).
        teacher_input_size (int | tuple[int, int], optional): ``(H, W)``
            (or one int for both) the teacher's inputs are resized to.
            Defaults to None: the student's input size.
        student_recorders (dict, optional): Record name → ``dict(module=
            'head', index=None)`` (or just the module name) on the student.
        teacher_recorders (dict, optional): The same for the teacher.
        connectors (dict, optional): Connector name → connector config.
        distill_losses (dict, optional): Loss key → loss config.
        loss_forward_mappings (dict, optional): Loss key → ``dict(arg_name=
            dict(from_student=..., recorder=..., connector=None))``. Every
            loss of ``distill_losses`` needs one.
        student_task_loss (bool): Add the student's own supervised losses
            (``student.loss``). Defaults to True.
        task_loss_weight (float): Multiplier of those losses. Defaults to
            1.0.
        teacher_bf16 (bool): Run the teacher under bf16 autocast (its
            recorded tensors are cast back to float32). Defaults to False.
        teacher_cache (dict, optional): ``dict(cache_dir=DIR)``: compute
            the teacher's records once per training view (image path and
            flip) and take them from
            :class:`~fbp_mm.models.distillers.TeacherOutputCache` on later
            steps, with no teacher forward; needs
            ``dict(type='TeacherOutputCacheHook')`` in ``custom_hooks``
            (it keys the cache by teacher weights, images and pipeline).
            For pipelines deterministic up to a flip. Defaults to None
            (the live teacher on every step).
        data_preprocessor (dict | nn.Module, optional): The distiller's
            (that is, the student's) preprocessor. Defaults to the
            student's ``data_preprocessor`` config if it has one, else
            ``ClsDataPreprocessor`` (with the student's ``train_cfg`` batch
            augments, as ``ImageClassifier`` does); a
            ``ClsDataPreprocessor`` is built as
            :class:`~fbp_mm.models.PartlyLabeledDataPreprocessor` (the same
            processing, and unlabeled images may share a batch).
        init_cfg (dict, optional): Initialisation config. Defaults to None.

    Example:
        >>> model = dict(
        ...     type='TeacherStudentDistiller',
        ...     student=dict(
        ...         type='ImageClassifier',
        ...         backbone=dict(type='ResNet', depth=18),
        ...         neck=dict(type='GlobalAveragePooling'),
        ...         head=dict(type='RegressionHead', in_channels=512,
        ...                   loss=dict(type='MSELoss'))),
        ...     teacher=dict(
        ...         cfg_path='fbp_mm::fbp/resnet50_1xb32-60e_'
        ...         'scut-fbp5500-6040.py'),
        ...     teacher_ckpt='work_dirs/teacher/best_plcc_epoch_50.pth',
        ...     teacher_ckpt_hint='Train the teacher with tools/train.py '
        ...     'configs/fbp/resnet50_1xb32-60e_scut-fbp5500-6040.py.',
        ...     student_recorders=dict(
        ...         scores=dict(module='head'),
        ...         feat=dict(module='neck', index=-1)),  # neck: tuple
        ...     teacher_recorders=dict(
        ...         scores=dict(module='head'),
        ...         feat=dict(module='neck', index=-1)),
        ...     connectors=dict(
        ...         feat_proj=dict(type='LinearConnector', in_channels=512,
        ...                        out_channels=2048)),
        ...     distill_losses=dict(
        ...         loss_kd_score=dict(type='MSELoss', loss_weight=1.0),
        ...         loss_kd_feat=dict(type='FeatureMSEKD', loss_weight=0.5),
        ...         loss_kd_rkd=dict(type='RelationalDistanceKD',
        ...                          loss_weight=25.0)),
        ...     loss_forward_mappings=dict(
        ...         loss_kd_score=dict(
        ...             pred=dict(from_student=True, recorder='scores'),
        ...             target=dict(from_student=False, recorder='scores')),
        ...         loss_kd_feat=dict(
        ...             student=dict(from_student=True, recorder='feat',
        ...                          connector='feat_proj'),
        ...             teacher=dict(from_student=False, recorder='feat')),
        ...         loss_kd_rkd=dict(
        ...             student=dict(from_student=True, recorder='feat'),
        ...             teacher=dict(from_student=False, recorder='feat'))),
        ...     student_task_loss=True)
    """

    def __init__(self,
                 student: NetworkCfg,
                 teacher: NetworkCfg,
                 teacher_ckpt: Optional[str] = None,
                 teacher_ckpt_optional: bool = False,
                 teacher_ckpt_hint: Optional[str] = None,
                 teacher_ckpt_prefix: Optional[str] = None,
                 teacher_input_size: Optional[Union[int, Tuple[int,
                                                               int]]] = None,
                 student_recorders: Optional[Dict[str, dict]] = None,
                 teacher_recorders: Optional[Dict[str, dict]] = None,
                 connectors: Optional[Dict[str, dict]] = None,
                 distill_losses: Optional[Dict[str, dict]] = None,
                 loss_forward_mappings: Optional[Dict[str, dict]] = None,
                 student_task_loss: bool = True,
                 task_loss_weight: float = 1.0,
                 teacher_bf16: bool = False,
                 teacher_cache: Optional[dict] = None,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        # Fail on the checkpoint before building anything large.
        if teacher_ckpt is None and not teacher_ckpt_optional:
            raise NoTeacherCheckpointError(
                no_teacher_ckpt_message(teacher_ckpt_hint))
        if teacher_ckpt is not None:
            check_teacher_ckpt_exists(teacher_ckpt, teacher_ckpt_hint)
        student_cfg = student if isinstance(student, nn.Module) \
            else resolve_network_cfg(student)
        teacher_cfg = teacher if isinstance(teacher, nn.Module) \
            else resolve_network_cfg(teacher)
        if data_preprocessor is None:
            data_preprocessor = self._default_preprocessor(student_cfg)
        if isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            if data_preprocessor['type'] in _CLS_PREPROCESSORS:
                # The same processing, and unlabeled images may share a
                # batch.
                data_preprocessor['type'] = 'PartlyLabeledDataPreprocessor'
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.teacher_ckpt_hint = teacher_ckpt_hint

        self.student = student_cfg if isinstance(student_cfg, nn.Module) \
            else MODELS.build(student_cfg)
        self.teacher = teacher_cfg if isinstance(teacher_cfg, nn.Module) \
            else MODELS.build(teacher_cfg)
        if teacher_ckpt is not None:
            self.load_teacher_checkpoint(teacher_ckpt, teacher_ckpt_prefix)
        else:
            print_log(
                'TeacherStudentDistiller: teacher_ckpt is None and '
                'teacher_ckpt_optional=True, so the teacher has only the '
                'weights of its own init_cfg (or of a full distiller '
                'checkpoint loaded later). Distilling from an untrained '
                'teacher teaches nothing.',
                logger='current',
                level=logging.WARNING)
        self.teacher.requires_grad_(False)
        self.teacher.eval()

        self.teacher_input_size = self._size_pair(teacher_input_size)
        student_norm = _normalisation(self.data_preprocessor)
        teacher_norm = _normalisation(
            getattr(self.teacher, 'data_preprocessor', None))
        self._shared_normalisation = _same_normalisation(
            student_norm, teacher_norm)

        self.student_task_loss = student_task_loss
        self.task_loss_weight = task_loss_weight
        self.teacher_bf16 = teacher_bf16
        self.teacher_cache = TeacherOutputCache(**teacher_cache) \
            if teacher_cache else None
        self._cached_teacher: Optional[Dict[str, torch.Tensor]] = None

        self.student_recorder = ModuleOutputRecorder(
            student_recorders).attach(self.student)
        self.teacher_recorder = ModuleOutputRecorder(
            teacher_recorders).attach(self.teacher)

        self.connectors = nn.ModuleDict()
        for name, cfg in (connectors or {}).items():
            self.connectors[name] = cfg if isinstance(cfg, nn.Module) \
                else MODELS.build(cfg)
        self.distill_losses = nn.ModuleDict()
        for name, cfg in (distill_losses or {}).items():
            self.distill_losses[name] = cfg if isinstance(cfg, nn.Module) \
                else MODELS.build(cfg)
        self.loss_forward_mappings = plain_copy(loss_forward_mappings or {})
        self._check_mappings()

    @staticmethod
    def _default_preprocessor(
            student_cfg: NetworkCfg) -> Union[dict, nn.Module]:
        if isinstance(student_cfg, nn.Module):
            own = getattr(student_cfg, 'data_preprocessor', None)
            return copy.deepcopy(own) if isinstance(own, nn.Module) \
                else dict(type='ClsDataPreprocessor')
        cfg = copy.deepcopy(student_cfg.get('data_preprocessor')) or {}
        cfg.setdefault('type', 'ClsDataPreprocessor')
        if cfg['type'] in _CLS_PREPROCESSORS:
            cfg.setdefault('batch_augments', student_cfg.get('train_cfg'))
        return cfg

    @staticmethod
    def _size_pair(size) -> Optional[Tuple[int, int]]:
        if size is None:
            return None
        if isinstance(size, int):
            size = (size, size)
        size = tuple(size)
        if len(size) != 2 or not all(
                isinstance(v, int) and v > 0 for v in size):
            raise ValueError('teacher_input_size must be None, an int or '
                             f'(H, W) of positive ints, got {size!r}')
        return size

    # ------------------------------------------------------------------
    # Set-up helpers
    # ------------------------------------------------------------------
    def load_teacher_checkpoint(self,
                                filename: str,
                                prefix: Optional[str] = None) -> None:
        """Load the teacher's weights (strictly) from a checkpoint file.

        Args:
            filename (str): Checkpoint path (or any URI MMEngine loads).
            prefix (str, optional): See :func:`select_teacher_state_dict`.

        Raises:
            TeacherCheckpointNotFoundError: When a local ``filename`` does
                not exist (with ``teacher_ckpt_hint`` in the message).
        """
        check_teacher_ckpt_exists(filename, self.teacher_ckpt_hint)
        ckpt = load_trusted_checkpoint(filename, map_location='cpu')
        state_dict = ckpt.get('state_dict', ckpt) \
            if isinstance(ckpt, dict) else ckpt
        weights, used = select_teacher_state_dict(state_dict, prefix)
        load_state_dict(self.teacher, weights, strict=True)
        # A loaded teacher must not be re-initialised by init_weights().
        if hasattr(self.teacher, '_is_init'):
            self.teacher._is_init = True
        print_log(
            f'TeacherStudentDistiller: loaded the teacher from {filename}'
            + (f' (keys {used!r}*)' if used else ''),
            logger='current')

    def _check_mappings(self) -> None:
        losses = set(self.distill_losses)
        mapped = set(self.loss_forward_mappings)
        if losses != mapped:
            raise ValueError(
                'distill_losses and loss_forward_mappings must have the same '
                f'keys; only in distill_losses: {sorted(losses - mapped)}, '
                f'only in loss_forward_mappings: {sorted(mapped - losses)}')
        for loss_key, args in self.loss_forward_mappings.items():
            where = f'loss_forward_mappings[{loss_key!r}]'
            if not isinstance(args, dict) or not args:
                raise TypeError(f'{where} must be a non-empty dict of '
                                'argument name → dict(from_student, '
                                'recorder, connector)')
            for arg, spec in args.items():
                if not isinstance(spec, dict) or \
                        'from_student' not in spec or 'recorder' not in spec:
                    raise ValueError(
                        f'{where}[{arg!r}] must be a dict with '
                        f"'from_student' and 'recorder', got {spec!r}")
                unknown = set(spec) - _ARG_KEYS
                if unknown:
                    raise ValueError(f'{where}[{arg!r}] has unknown keys '
                                     f'{sorted(unknown)}')
                recorder = self.student_recorder if spec['from_student'] \
                    else self.teacher_recorder
                side = 'student' if spec['from_student'] else 'teacher'
                if spec['recorder'] not in recorder.records:
                    raise KeyError(
                        f'{where}[{arg!r}] reads {side} record '
                        f"{spec['recorder']!r}, but {side}_recorders only "
                        f'has {recorder.names}')
                connector = spec.get('connector')
                if connector is not None and connector not in self.connectors:
                    raise KeyError(
                        f'{where}[{arg!r}] uses connector {connector!r}, '
                        f'which is not in connectors {list(self.connectors)}')
            loss_module = self.distill_losses[loss_key]
            signature = inspect.signature(loss_module.forward)
            try:
                signature.bind(**{arg: None for arg in args})
            except TypeError as err:
                raise TypeError(
                    f'{where} passes {sorted(args)} to '
                    f'{type(loss_module).__name__}.forward{signature}: '
                    f'{err}') from err

    # ------------------------------------------------------------------
    # Student delegation (ImageClassifier compatibility)
    # ------------------------------------------------------------------
    @property
    def backbone(self) -> nn.Module:
        """The student's backbone."""
        return self.student.backbone

    @property
    def neck(self) -> Optional[nn.Module]:
        """The student's neck."""
        return getattr(self.student, 'neck', None)

    @property
    def head(self) -> Optional[nn.Module]:
        """The student's head."""
        return getattr(self.student, 'head', None)

    @property
    def with_neck(self) -> bool:
        """Whether the student has a neck."""
        return self.neck is not None

    @property
    def with_head(self) -> bool:
        """Whether the student has a head."""
        return self.head is not None

    def extract_feat(self, inputs: torch.Tensor, *args, **kwargs):
        """The student's features; see ``ImageClassifier.extract_feat``."""
        return self.student.extract_feat(inputs, *args, **kwargs)

    def get_layer_depth(self, param_name: str) -> Tuple[int, int]:
        """Layer depth for layer-wise learning-rate decay, from the student.

        ``student.``-prefixed names are passed to the student without the
        prefix; other trainable parameters (connectors) are passed as they
        are, which the student places after its backbone (last depth).

        Args:
            param_name (str): Parameter name in the distiller.

        Returns:
            tuple[int, int]: The layer depth and the number of depths.
        """
        if not hasattr(self.student, 'get_layer_depth'):
            raise NotImplementedError(
                f'The student {type(self.student).__name__} has no '
                '`get_layer_depth`.')
        if param_name.startswith('student.'):
            param_name = param_name[len('student.'):]
        return self.student.get_layer_depth(param_name)

    def train(self, mode: bool = True) -> 'TeacherStudentDistiller':
        """Set the mode of the student; the teacher always stays in eval."""
        super().train(mode)
        self.teacher.eval()
        return self

    # ------------------------------------------------------------------
    # Forward
    # ------------------------------------------------------------------
    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """Unified entry, as in ``ImageClassifier.forward``.

        Args:
            inputs (Tensor): Preprocessed images ``(N, C, H, W)``.
            data_samples (list[DataSample], optional): Needed for
                ``'loss'`` when ``student_task_loss`` is True.
            mode (str): ``'loss'`` (student + distillation losses),
                ``'predict'`` or ``'tensor'`` (student only).

        Returns:
            dict | list[DataSample] | Tensor: Depends on ``mode``.
        """
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode in ('predict', 'tensor'):
            return self.student(inputs, data_samples, mode=mode)
        raise RuntimeError(f'Invalid mode "{mode}".')

    def predict(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Predict with the student."""
        return self.student.predict(inputs, data_samples, **kwargs)

    def teacher_inputs(self, inputs: torch.Tensor) -> torch.Tensor:
        """The teacher's batch, derived from the student's.

        The student's normalisation is undone, the channels are swapped if
        the two preprocessors disagree on ``to_rgb``, the teacher's
        normalisation is applied and, with ``teacher_input_size``, the batch
        is resized (bilinear, ``align_corners=False``, no antialias).

        Args:
            inputs (Tensor): The student's preprocessed batch
                ``(N, C, H, W)``.

        Returns:
            Tensor: What the teacher's own data preprocessor would make of
            the same images (float32, unless nothing changes).

        Example:
            >>> import logging
            >>> from fbp_mm.apis import build_model_from_config
            >>> logging.disable(logging.WARNING)  # no teacher_ckpt here
            >>> model = build_model_from_config(
            ...     'configs/fiqa/demo/edgenext-xxsmall_1xb32-24e_'
            ...     'fiqa-demo-64px_student-kd.py', cfg_options=dict(
            ...         model=dict(teacher_ckpt_optional=True,
            ...                    teacher_input_size=32)))
            >>> logging.disable(logging.NOTSET)
            >>> images = torch.randint(0, 256, (2, 3, 64, 64)).byte()
            >>> data = dict(inputs=list(images))
            >>> data = model.data_preprocessor(data, training=True)
            >>> teacher_batch = model.teacher_inputs(data['inputs'])
            >>> teacher_batch.shape, teacher_batch.dtype
            (torch.Size([2, 3, 32, 32]), torch.float32)
        """
        x = inputs
        if not self._shared_normalisation:
            s_mean, s_std, s_rgb = _normalisation(self.data_preprocessor)
            t_mean, t_std, t_rgb = _normalisation(
                getattr(self.teacher, 'data_preprocessor', None))
            x = x.float()
            if s_mean is not None:
                x = x * s_std.to(x) + s_mean.to(x)
            if s_rgb != t_rgb and x.size(1) == 3:
                x = x.flip(1)
            if t_mean is not None:
                x = (x - t_mean.to(x)) / t_std.to(x)
        size = self.teacher_input_size
        if size is not None and tuple(x.shape[-2:]) != size:
            x = F.interpolate(
                x.float(),
                size=size,
                mode='bilinear',
                align_corners=False,
                antialias=False)
        return x

    def _run_teacher(self, inputs: torch.Tensor) -> None:
        autocast = torch.autocast(
            device_type=inputs.device.type, dtype=torch.bfloat16) \
            if self.teacher_bf16 else nullcontext()
        with torch.no_grad(), autocast:
            self.teacher(inputs, mode='tensor')

    def loss(self, inputs: torch.Tensor,
             data_samples: Optional[List[DataSample]] = None
             ) -> Dict[str, torch.Tensor]:
        """Student task losses plus distillation losses.

        Args:
            inputs (Tensor): Images preprocessed for the student; the
                teacher gets :meth:`teacher_inputs` of them.
            data_samples (list[DataSample], optional): Targets of the
                student's own losses.

        Returns:
            dict[str, Tensor]: Losses to be summed by MMEngine.
        """
        losses: Dict[str, torch.Tensor] = {}
        labeled = _labeled_indices(data_samples)
        try:
            if self.student_task_loss and labeled is not None:
                # Unlabeled images in the batch: every image is distilled,
                # the task loss sees the labeled ones only.
                task = self._partial_task_loss(inputs, data_samples, labeled)
            else:
                with self.student_recorder.recording():
                    if self.student_task_loss:
                        task = self.student.loss(inputs, data_samples)
                    else:
                        task = {}
                        self.student(inputs, mode='tensor')
            for key, value in task.items():
                if 'loss' in key:
                    value = self._scale(value, self.task_loss_weight)
                losses[key] = value
            if self.teacher_recorder.records:
                self._teacher_records(inputs, data_samples)
            for key, loss_module in self.distill_losses.items():
                log_key = key if 'loss' in key else f'loss_kd_{key}'
                if log_key in losses:
                    raise KeyError(
                        f'Distillation loss {log_key!r} clashes with a '
                        'student loss of the same name; rename the key in '
                        'distill_losses.')
                kwargs = {
                    arg: self._gather(spec)
                    for arg, spec in self.loss_forward_mappings[key].items()
                }
                losses[log_key] = loss_module(**kwargs)
        finally:
            # Never keep activations of this step alive until the next one.
            self.student_recorder.clear()
            self.teacher_recorder.clear()
            self._cached_teacher = None
        return losses

    def _teacher_records(self, inputs: torch.Tensor,
                         data_samples: Optional[List[DataSample]]) -> None:
        """Fill the teacher's records: from the cache when every sample
        of the batch is in it, else by running the teacher (and caching
        what it recorded)."""
        keys = None
        if self.teacher_cache is not None:
            keys = [sample_key(s) for s in data_samples or []]
            cached = self.teacher_cache.lookup(keys)
            if cached is not None:
                self._cached_teacher = {
                    name: value.to(inputs.device)
                    for name, value in cached.items()
                }
                return
        with self.teacher_recorder.recording():
            self._run_teacher(self.teacher_inputs(inputs))
        if keys:  # stored as float32 CPU rows
            self.teacher_cache.store(keys, {
                name: self.teacher_recorder.get(name)
                for name in self.teacher_recorder.names
            })

    def _partial_task_loss(self, inputs: torch.Tensor,
                           data_samples: List[DataSample],
                           labeled: List[int]) -> Dict[str, torch.Tensor]:
        """Record the student on the whole batch; task loss on ``labeled``.

        Args:
            inputs (Tensor): The batch.
            data_samples (list[DataSample]): Its samples, some without
                targets (e.g. from :class:`UnlabeledFaceDataset`).
            labeled (list[int]): Indices of the samples with targets.

        Returns:
            dict[str, Tensor]: The student head's losses on the labeled
            samples; empty when the batch has none.
        """
        with self.student_recorder.recording():
            feats = self.student.extract_feat(inputs)
            if getattr(self.student, 'with_head', False):
                self.student.head(feats)
        if not labeled or not getattr(self.student, 'with_head', False):
            return {}
        index = torch.as_tensor(labeled, device=inputs.device)
        picked = tuple(f.index_select(0, index) for f in feats) \
            if isinstance(feats, (tuple, list)) else \
            feats.index_select(0, index)
        return self.student.head.loss(picked,
                                      [data_samples[i] for i in labeled])

    @staticmethod
    def _scale(value, weight: float):
        if weight == 1.0:
            return value
        if isinstance(value, (list, tuple)):
            return type(value)(v * weight for v in value)
        return value * weight

    def _gather(self, spec: dict) -> torch.Tensor:
        """Fetch one recorded tensor and pass it through its connector."""
        if spec['from_student']:
            value = self.student_recorder.get(spec['recorder'])
        elif self._cached_teacher is not None:
            value = self._cached_teacher[spec['recorder']]
        else:
            value = self.teacher_recorder.get(spec['recorder'])
            if self.teacher_bf16 and isinstance(value, torch.Tensor) and \
                    value.dtype == torch.bfloat16:
                value = value.float()
        if spec.get('connector') is not None:
            value = self.connectors[spec['connector']](value)
        return value
