"""Teacher-student knowledge distillation as an MMPretrain model."""
import copy
import inspect
import os.path as osp
from collections import OrderedDict
from contextlib import nullcontext
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.model import BaseModel
from mmengine.runner.checkpoint import CheckpointLoader, load_state_dict
from mmengine.utils import get_installed_path, is_installed
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .recorder import ModuleOutputRecorder

NetworkCfg = Union[dict, nn.Module]

#: Keys an argument mapping of ``loss_forward_mappings`` may hold.
_ARG_KEYS = {'from_student', 'recorder', 'connector'}


def _plain(cfg):
    """Deep-copy a (Config)dict into plain dicts and lists."""
    if isinstance(cfg, dict):
        return {k: _plain(v) for k, v in cfg.items()}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_plain(v) for v in cfg)
    return copy.deepcopy(cfg)


def _merge(base: dict, override: dict) -> dict:
    """Merge ``override`` into a copy of ``base`` like MMEngine configs.

    Nested dicts merge key by key unless the override sets
    ``_delete_=True``, in which case it replaces the base value.
    """
    merged = _plain(base)
    for key, value in override.items():
        value = _plain(value)
        if isinstance(value, dict):
            replace = value.pop('_delete_', False)
            if not replace and isinstance(merged.get(key), dict):
                value = _merge(merged[key], value)
        merged[key] = value
    return merged


def _read_config(cfg_path: str) -> Config:
    """Read a config file, or a ``package::relative/path.py`` config."""
    if '::' in cfg_path:
        package, _, rel_path = cfg_path.partition('::')
        if not is_installed(package):
            raise ModuleNotFoundError(
                f'{cfg_path!r} refers to the package {package!r}, which is '
                'not installed.')
        local = osp.join(
            get_installed_path(package), '.mim', 'configs', rel_path)
        if osp.isfile(local):
            return Config.fromfile(local)
        # Let MMEngine look the name up in the package's model index.
        from mmengine.hub import get_config
        return get_config(cfg_path)
    if not osp.isfile(cfg_path):
        raise FileNotFoundError(f'Config file {cfg_path!r} does not exist.')
    return Config.fromfile(cfg_path)


def resolve_network_cfg(cfg: dict) -> dict:
    """Turn a student / teacher entry into a plain model config.

    Args:
        cfg (dict): Either a model config (``dict(type='ImageClassifier',
            backbone=..., head=...)``) or ``dict(cfg_path=..., **overrides)``
            where ``cfg_path`` is a config file path or an
            ``'mmpretrain::resnet/resnet18_8xb32_in1k.py'``-style name. The
            file's ``model`` is used, with the overrides merged on top
            (``_delete_=True`` replaces a whole sub-dict). When the file
            keeps ``data_preprocessor`` at the top level, as MMPretrain's
            configs do, it is moved into the model config.

    Returns:
        dict: A model config with ``type``.
    """
    cfg = _plain(cfg)
    if 'cfg_path' not in cfg:
        return cfg
    cfg_path = cfg.pop('cfg_path')
    file_cfg = _read_config(cfg_path)
    if 'model' not in file_cfg:
        raise KeyError(f'Config {cfg_path!r} has no `model`.')
    model = _plain(file_cfg.model.to_dict())
    if 'data_preprocessor' not in model and \
            file_cfg.get('data_preprocessor') is not None:
        model['data_preprocessor'] = _plain(
            file_cfg.data_preprocessor.to_dict())
    return _merge(model, cfg)


def select_teacher_state_dict(state_dict: Dict[str, torch.Tensor],
                              prefix: Optional[str] = None
                              ) -> Tuple[Dict[str, torch.Tensor], str]:
    """Pick the teacher's weights out of a checkpoint's state dict.

    A ``module.`` prefix left by distributed wrappers is dropped first.
    With ``prefix`` given, the keys starting with it are kept (prefix
    removed). Otherwise the layout is detected: keys of a plain classifier
    (``backbone.``, ``neck.``, ``head.``...) are used as they are; a
    distiller checkpoint (``student.`` / ``teacher.`` keys) gives its
    ``teacher.`` weights, or, without any, its ``student.`` weights (a
    distilled student becoming the next teacher).

    Args:
        state_dict (dict): The checkpoint's state dict.
        prefix (str, optional): Prefix to select explicitly, e.g.
            ``'student.'``. Defaults to None (detect).

    Returns:
        tuple[dict, str]: The selected weights and the prefix removed.
    """
    state_dict = OrderedDict(
        (k[len('module.'):] if k.startswith('module.') else k, v)
        for k, v in state_dict.items())
    if prefix is None:
        roots = {k.split('.', 1)[0] for k in state_dict}
        if roots <= {'student', 'teacher', 'connectors', 'distill_losses'}:
            prefix = 'teacher.' if 'teacher' in roots else 'student.'
        else:
            prefix = ''
    selected = OrderedDict((k[len(prefix):], v)
                           for k, v in state_dict.items()
                           if k.startswith(prefix))
    if not selected:
        raise KeyError(f'The teacher checkpoint has no keys starting with '
                       f'{prefix!r}.')
    return selected, prefix


@MODELS.register_module()
class TeacherStudentDistiller(BaseModel):
    """Train a student network with help from a frozen teacher.

    Both networks are complete MMPretrain models (usually
    ``ImageClassifier`` with a ``RegressionHead`` or
    ``DistributionRegressionHead``). The teacher never trains: its
    parameters have ``requires_grad=False``, it stays in eval mode (so its
    norm layers use running statistics) even after ``model.train()``, and
    it runs under ``torch.no_grad()`` on the same preprocessed batch as the
    student, optionally under bf16 autocast.

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
    the student. :meth:`extract_feat` and :meth:`get_layer_depth` delegate
    to the student, and ``backbone`` / ``neck`` / ``head`` are the
    student's. Checkpoints contain both networks (``student.*``,
    ``teacher.*``); ``tools/extract_student.py`` writes the student alone
    for its plain config.

    Args:
        student (dict | nn.Module): Student model config, or
            ``dict(cfg_path=..., **overrides)`` (see
            :func:`resolve_network_cfg`).
        teacher (dict | nn.Module): Teacher model config, same forms.
        teacher_ckpt (str, optional): Teacher checkpoint, loaded on CPU
            when the distiller is built (after which the teacher's own
            ``init_cfg`` is skipped by ``init_weights``). Accepted: an
            MMEngine / MMPretrain checkpoint of the plain teacher model
            (``backbone.*``, ``head.*`` keys; a bare state dict works too),
            or a distiller checkpoint, from which the ``teacher.*`` weights
            are taken (see :func:`select_teacher_state_dict`). Keys must
            match the teacher exactly. Defaults to None: the teacher is
            initialised from its config, so give it a ``Pretrained``
            ``init_cfg`` then.
        teacher_ckpt_prefix (str, optional): Take the teacher weights from
            the checkpoint keys with this prefix, e.g. ``'student.'`` to use
            the student of an earlier distillation. Defaults to None
            (detect).
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
        data_preprocessor (dict | nn.Module, optional): Defaults to the
            student's ``data_preprocessor`` config if it has one, else
            ``ClsDataPreprocessor`` (with the student's ``train_cfg`` batch
            augments, as ``ImageClassifier`` does).
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
        ...         cfg_path='configs/fbp/resnet50_1xb32-60e_'
        ...         'scut-fbp5500-6040.py'),
        ...     teacher_ckpt='work_dirs/teacher/best_plcc.pth',
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
                 teacher_ckpt_prefix: Optional[str] = None,
                 student_recorders: Optional[Dict[str, dict]] = None,
                 teacher_recorders: Optional[Dict[str, dict]] = None,
                 connectors: Optional[Dict[str, dict]] = None,
                 distill_losses: Optional[Dict[str, dict]] = None,
                 loss_forward_mappings: Optional[Dict[str, dict]] = None,
                 student_task_loss: bool = True,
                 task_loss_weight: float = 1.0,
                 teacher_bf16: bool = False,
                 data_preprocessor: Optional[Union[dict, nn.Module]] = None,
                 init_cfg: Optional[dict] = None) -> None:
        student_cfg = student if isinstance(student, nn.Module) \
            else resolve_network_cfg(student)
        teacher_cfg = teacher if isinstance(teacher, nn.Module) \
            else resolve_network_cfg(teacher)
        if data_preprocessor is None:
            data_preprocessor = self._default_preprocessor(student_cfg)
        if isinstance(data_preprocessor, dict):
            data_preprocessor = dict(data_preprocessor)
            data_preprocessor.setdefault('type', 'ClsDataPreprocessor')
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)

        self.student = student_cfg if isinstance(student_cfg, nn.Module) \
            else MODELS.build(student_cfg)
        self.teacher = teacher_cfg if isinstance(teacher_cfg, nn.Module) \
            else MODELS.build(teacher_cfg)
        if teacher_ckpt is not None:
            self.load_teacher_checkpoint(teacher_ckpt, teacher_ckpt_prefix)
        else:
            print_log(
                'TeacherStudentDistiller: no teacher_ckpt given; the teacher '
                'is only initialised from its own config (init_cfg).',
                logger='current')
        self.teacher.requires_grad_(False)
        self.teacher.eval()

        self.student_task_loss = student_task_loss
        self.task_loss_weight = task_loss_weight
        self.teacher_bf16 = teacher_bf16

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
        self.loss_forward_mappings = _plain(loss_forward_mappings or {})
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
        if cfg['type'] in ('ClsDataPreprocessor', 'mmpretrain.'
                           'ClsDataPreprocessor'):
            cfg.setdefault('batch_augments', student_cfg.get('train_cfg'))
        return cfg

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
        """
        ckpt = CheckpointLoader.load_checkpoint(filename, map_location='cpu')
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
            inputs (Tensor): Preprocessed images.
            data_samples (list[DataSample], optional): Targets of the
                student's own losses.

        Returns:
            dict[str, Tensor]: Losses to be summed by MMEngine.
        """
        losses: Dict[str, torch.Tensor] = {}
        try:
            with self.student_recorder.recording():
                if self.student_task_loss:
                    task = self.student.loss(inputs, data_samples)
                    for key, value in task.items():
                        if 'loss' in key:
                            value = self._scale(value, self.task_loss_weight)
                        losses[key] = value
                else:
                    self.student(inputs, mode='tensor')
            if self.teacher_recorder.records:
                with self.teacher_recorder.recording():
                    self._run_teacher(inputs)
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
        return losses

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
        else:
            value = self.teacher_recorder.get(spec['recorder'])
            if self.teacher_bf16 and isinstance(value, torch.Tensor) and \
                    value.dtype == torch.bfloat16:
                value = value.float()
        if spec.get('connector') is not None:
            value = self.connectors[spec['connector']](value)
        return value
