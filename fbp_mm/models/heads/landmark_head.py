"""Landmark regression head: pooled features → ``K`` normalised points."""
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .regression_head import LossCfg, build_losses, pool_features


@MODELS.register_module()
class LandmarkRegressionHead(BaseModule):
    """Regress ``num_landmarks`` ``(x, y)`` points from pooled features.

    Takes the last item of the backbone / neck output tuple, pools it to
    ``(N, C)`` (see :func:`~fbp_mm.models.heads.regression_head.
    pool_features`), and maps it through an optional hidden layer to
    ``num_landmarks * 2`` values: the points' coordinates normalised by the
    input image size, ``(x / W, y / H)`` (about ``[0, 1]`` for points in the
    image; not clamped). ``W`` and ``H`` come from the ``img_shape``
    metainfo (``(H, W)``) of each data sample, else from ``input_size``.

    The losses compare normalised coordinates; targets are read from
    ``face_landmarks`` of the data samples (``(K, 2)`` pixel coordinates,
    a tensor or an array, e.g. packed with
    ``PackInputs(algorithm_keys=['face_landmarks'])``). :meth:`predict`
    writes ``pred_landmarks``, a float ``(K, 2)`` tensor in pixel
    coordinates of the input image.

    Args:
        in_channels (int): Feature channels.
        num_landmarks (int): Number of points ``K``.
        hidden_channels (int, optional): Width of one hidden layer; None maps
            the features linearly. Defaults to None.
        act_cfg (dict): Activation after the hidden layer.
            Defaults to ``dict(type='GELU')``.
        input_size (int | tuple[int, int], optional): ``S`` or ``(H, W)`` of
            the input images, used for samples without ``img_shape`` (and
            when :meth:`predict` gets no data samples). Defaults to None.
        loss (dict | list[dict]): One loss config or a list of them (see
            :class:`~fbp_mm.models.heads.RegressionHead`), applied to
            ``(N, K, 2)`` normalised coordinates. Defaults to fbp_mm's
            ``dict(type='L1Loss')`` (logged as ``loss_l1``).
        init_cfg (dict, optional): Initialisation config. Defaults to
            truncated-normal linear layers.

    Example:
        >>> model = dict(
        ...     type='ImageClassifier',
        ...     backbone=dict(type='ResNet', depth=18),
        ...     neck=dict(type='GlobalAveragePooling'),
        ...     head=dict(
        ...         type='LandmarkRegressionHead', in_channels=512,
        ...         num_landmarks=68, hidden_channels=256,
        ...         loss=dict(type='SmoothL1Loss', beta=0.01)))
    """

    def __init__(self,
                 in_channels: int,
                 num_landmarks: int,
                 hidden_channels: Optional[int] = None,
                 act_cfg: dict = dict(type='GELU'),
                 input_size: Optional[Union[int, Tuple[int, int]]] = None,
                 loss: LossCfg = dict(type='L1Loss'),
                 init_cfg: Optional[dict] = dict(
                     type='TruncNormal', layer='Linear', std=0.02)) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_landmarks <= 0:
            raise ValueError(
                f'num_landmarks must be positive, got {num_landmarks}')
        self.in_channels = in_channels
        self.num_landmarks = num_landmarks
        if input_size is not None:
            size = (input_size, input_size) if isinstance(
                input_size, int) else tuple(input_size)
            if len(size) != 2 or min(size) <= 0:
                raise ValueError('input_size must be a positive int or '
                                 f'(H, W), got {input_size}')
            input_size = (int(size[0]), int(size[1]))
        self.input_size = input_size
        self.loss_modules = build_losses(loss)
        layers: List[nn.Module] = []
        width = in_channels
        if hidden_channels is not None:
            layers += [
                nn.Linear(in_channels, hidden_channels),
                MODELS.build(act_cfg)
            ]
            width = hidden_channels
        layers.append(nn.Linear(width, num_landmarks * 2))
        self.layers = nn.Sequential(*layers)

    def pre_logits(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Pool the last feature of the tuple to ``(N, C)``."""
        if isinstance(feats, torch.Tensor):
            feats = (feats, )
        return pool_features(feats[-1])

    def forward(self, feats: Tuple[torch.Tensor]) -> torch.Tensor:
        """Predict normalised coordinates of shape ``(N, K, 2)``."""
        out = self.layers(self.pre_logits(feats))
        return out.reshape(out.size(0), self.num_landmarks, 2)

    def image_sizes(self,
                    data_samples: Optional[Sequence[Optional[DataSample]]],
                    num: int, device: torch.device) -> torch.Tensor:
        """``(N, 1, 2)`` tensor of ``(W, H)`` per sample.

        Args:
            data_samples (list[DataSample | None], optional): Samples whose
                ``img_shape`` metainfo gives ``(H, W)``.
            num (int): Batch size.
            device (torch.device): Device of the result.

        Returns:
            Tensor: Widths and heights, float32.
        """
        if data_samples is None:
            data_samples = [None] * num
        sizes = []
        for sample in data_samples:
            shape = None
            if sample is not None and 'img_shape' in sample.metainfo:
                shape = sample.metainfo['img_shape']
            elif self.input_size is not None:
                shape = self.input_size
            if shape is None:
                raise ValueError(
                    'LandmarkRegressionHead needs the input size: the data '
                    'sample has no `img_shape` metainfo and the head no '
                    '`input_size`.')
            sizes.append((float(shape[1]), float(shape[0])))
        return torch.tensor(
            sizes, dtype=torch.float32, device=device).reshape(num, 1, 2)

    def stack_targets(self, data_samples: Sequence[DataSample],
                      device: torch.device) -> torch.Tensor:
        """Stack ``face_landmarks`` into an ``(N, K, 2)`` pixel tensor."""
        targets = []
        for sample in data_samples:
            points = sample.get('face_landmarks')
            if points is None:
                raise KeyError(
                    'LandmarkRegressionHead reads targets from '
                    '`face_landmarks`; the data sample of '
                    f'{sample.metainfo.get("img_path")} has none. Pack them '
                    "with `PackInputs(algorithm_keys=['face_landmarks'])`.")
            if not isinstance(points, torch.Tensor):
                points = torch.from_numpy(np.asarray(points, np.float32))
            points = points.to(device=device, dtype=torch.float32)
            if points.shape != (self.num_landmarks, 2):
                raise ValueError(
                    f'face_landmarks of {sample.metainfo.get("img_path")} '
                    f'has shape {tuple(points.shape)}, the head predicts '
                    f'({self.num_landmarks}, 2).')
            targets.append(points)
        return torch.stack(targets)

    def loss(self, feats: Tuple[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> dict:
        """Compute every configured loss on normalised coordinates.

        Args:
            feats (tuple[Tensor]): Backbone / neck outputs.
            data_samples (list[DataSample]): Samples with ``face_landmarks``
                and ``img_shape``.

        Returns:
            dict[str, Tensor]: One entry per loss name.
        """
        pred = self(feats)
        target = self.stack_targets(data_samples, pred.device)
        target = target / self.image_sizes(data_samples, len(data_samples),
                                           pred.device)
        return {
            getattr(m, 'loss_name', 'loss'): m(pred, target)
            for m in self.loss_modules
        }

    def predict(self,
                feats: Tuple[torch.Tensor],
                data_samples: Optional[List[Optional[DataSample]]] = None
                ) -> List[DataSample]:
        """Predict landmarks and store them as ``pred_landmarks``.

        Args:
            feats (tuple[Tensor]): Backbone / neck outputs.
            data_samples (list[DataSample | None], optional): Samples to
                fill; new ones are created when None (then ``input_size``
                gives the scale).

        Returns:
            list[DataSample]: Samples with ``pred_landmarks``, a float
            ``(K, 2)`` tensor of ``(x, y)`` input-image pixels.
        """
        pred = self(feats).detach()
        points = pred * self.image_sizes(data_samples, pred.size(0),
                                         pred.device)
        if data_samples is None:
            data_samples = [None] * pred.size(0)
        results = []
        for sample, point in zip(data_samples, points):
            sample = DataSample() if sample is None else sample
            sample.set_field(point, 'pred_landmarks', dtype=torch.Tensor)
            results.append(sample)
        return results
