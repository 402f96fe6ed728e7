"""Build a score regressor from its config and predict scores of images.

:func:`build_model_from_config` builds the model exactly as the runner
would (same registries, same ``data_preprocessor``) and loads a
checkpoint; :class:`~fbp_mm.apis.FaceScoreInferencer` is built on it, and
:func:`iter_predictions` / :func:`predict_scores` are shortcuts to the
inferencer for whole images (no face detection).
"""
import copy
from typing import Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config, ConfigDict
from mmengine.dataset import BaseDataset, Compose
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmpretrain.registry import DATASETS, MODELS

from ..engine.checkpoint_loading import trusted_checkpoint_loading
from ..utils.config_loading import load_config

__all__ = [
    'build_model_from_config', 'get_test_pipeline', 'iter_predictions',
    'predict_scores'
]

PipelineCfg = Union[Sequence[dict], Compose]
ImageSource = Union[BaseDataset, dict, Sequence[str]]


def _load_config(config: Union[str, Config],
                 cfg_options: Optional[dict] = None) -> Config:
    """Read a config file (or copy a Config) and apply overrides."""
    if isinstance(config, (str, bytes)) or hasattr(config, '__fspath__'):
        cfg = load_config(str(config))
    elif isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        raise TypeError('`config` must be a file path or a Config, got '
                        f'{type(config).__name__}.')
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def build_model_from_config(config: Union[str, Config],
                            checkpoint: Optional[str] = None,
                            device: Union[str, torch.device] = 'cpu',
                            cfg_options: Optional[dict] = None,
                            strict: bool = True) -> nn.Module:
    """Build the model of a config, load its weights and set eval mode.

    The model is built the way MMEngine's runner builds it: the default
    scope comes from the config (``mmpretrain`` if it names none) and a
    top-level ``data_preprocessor`` of the config is handed to the model
    unless the model config has its own. The config is attached to the
    returned model as ``model.cfg`` so that :func:`predict_scores` can find
    the test pipeline.

    A :class:`~fbp_mm.models.TeacherStudentDistiller` config works the same
    way: its ``predict`` uses the student. ``channels_last = True`` in the
    config puts weights and preprocessed batches in channels-last memory
    format, as :class:`~fbp_mm.engine.FbpRunner` does in training and
    testing. When a checkpoint is given, the
    distiller's ``teacher_ckpt`` is not read (the checkpoint already holds
    the teacher's weights), so that file need not exist any more.

    Args:
        config (str | Config): Config file or an already loaded config.
        checkpoint (str, optional): Checkpoint to load (anything MMEngine's
            ``load_checkpoint`` reads: a path, URL, ``torchvision://``...).
            None keeps the initial weights of the config (useful in tests).
        device (str | torch.device): Device to put the model on.
            Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides merged into the config,
            as ``--cfg-options`` of the tools. Defaults to None.
        strict (bool): Require the checkpoint keys to match the model's
            exactly. Defaults to True, so that a wrong checkpoint fails
            loudly instead of predicting with random weights.

    Returns:
        nn.Module: The model in eval mode on ``device``, with ``cfg``.

    Example:
        >>> model = build_model_from_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
        ...     'work_dirs/demo/epoch_20.pth')  # doctest: +SKIP
        >>> paths, scores = predict_scores(model, ['face.jpg'])
        ... # doctest: +SKIP
    """
    cfg = _load_config(config, cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor', None) is not None and isinstance(
            model_cfg, (dict, ConfigDict)):
        model_cfg.setdefault('data_preprocessor',
                             copy.deepcopy(cfg.data_preprocessor))
    if checkpoint is not None and 'teacher' in model_cfg:
        model_cfg['teacher_ckpt'] = None
        model_cfg['teacher_ckpt_optional'] = True
    # The user named these files: fbp_mm's checkpoint loading applies.
    with trusted_checkpoint_loading():
        model = MODELS.build(model_cfg)
        if checkpoint is not None:
            load_checkpoint(
                model, checkpoint, map_location='cpu', strict=strict)
    model.cfg = cfg
    model.to(device)
    if cfg.get('channels_last', False):
        from fbp_mm.engine import use_channels_last
        use_channels_last(model)
    model.eval()
    return model


def get_test_pipeline(cfg: Config) -> List[dict]:
    """Return the test pipeline of a config.

    Looks at ``test_dataloader.dataset.pipeline`` first, then at
    ``val_dataloader.dataset.pipeline`` and a top-level ``test_pipeline``.

    Args:
        cfg (Config): A loaded config.

    Returns:
        list[dict]: A copy of the transform configs.

    Raises:
        KeyError: If the config defines none of them.
    """
    for loader in ('test_dataloader', 'val_dataloader'):
        dataset = (cfg.get(loader, None) or {}).get('dataset', None) or {}
        # Wrapped datasets (e.g. RepeatDataset) keep the pipeline inside.
        while 'pipeline' not in dataset and 'dataset' in dataset:
            dataset = dataset['dataset']
        if dataset.get('pipeline', None):
            return copy.deepcopy(list(dataset['pipeline']))
    if cfg.get('test_pipeline', None):
        return copy.deepcopy(list(cfg.test_pipeline))
    raise KeyError('The config has no test pipeline: set '
                   '`test_dataloader.dataset.pipeline`.')


def _sample_paths(source: ImageSource) -> List[str]:
    """The image paths of a dataset, a dataset config or a list."""
    if isinstance(source, (dict, ConfigDict)):
        source = DATASETS.build(copy.deepcopy(source))
    if isinstance(source, BaseDataset):
        return [
            str(source.get_data_info(i).get('img_path', ''))
            for i in range(len(source))
        ]
    if isinstance(source, str):
        raise TypeError('Give a list of image paths, not a single str.')
    return [str(p) for p in source]


def iter_predictions(model: nn.Module,
                     dataset_or_paths: ImageSource,
                     pipeline: Optional[PipelineCfg] = None,
                     batch_size: int = 32,
                     num_workers: int = 0,
                     progress: bool = True
                     ) -> Iterator[Tuple[List[str], np.ndarray]]:
    """Predict scores of whole images batch by batch, in input order.

    A shortcut to :meth:`FaceScoreInferencer.iter_scores` (no face
    detection) for a model from :func:`build_model_from_config`.

    Args:
        model (nn.Module): A model with ``test_step`` and its config as
            ``cfg``, e.g. from :func:`build_model_from_config`.
        dataset_or_paths (BaseDataset | dict | Sequence[str]): A dataset
            (the ``img_path`` of its samples), a dataset config, or image
            paths.
        pipeline (Sequence[dict] | Compose, optional): Transforms applied
            to the loaded image instead of the config's test pipeline (a
            loading step in it is left out). Defaults to None.
        batch_size (int): Images per forward pass. Defaults to 32.
        num_workers (int): Data loading worker processes. Defaults to 0.
        progress (bool): Show an MMEngine ``ProgressBar`` on stdout.
            Defaults to True.

    Yields:
        tuple[list[str], np.ndarray]: Image paths of a batch and their
        scores, shape ``(batch, num_outputs)``, float32.

    Example:
        >>> import tempfile
        >>> import mmcv
        >>> model = build_model_from_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py')
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     paths = [f'{tmp}/{i}.jpg' for i in range(3)]
        ...     for path in paths:
        ...         _ = mmcv.imwrite(np.zeros((64, 64, 3), np.uint8), path)
        ...     for batch, scores in iter_predictions(
        ...             model, paths, batch_size=2, progress=False):
        ...         print(len(batch), scores.shape, scores.dtype)
        2 (2, 1) float32
        1 (1, 1) float32
    """
    from .face_score_inferencer import FaceScoreInferencer, without_loader
    inferencer = FaceScoreInferencer(model, detect=False)
    if pipeline is not None:
        inferencer.pipeline = pipeline if isinstance(
            pipeline, Compose) else Compose(without_loader(pipeline))
    yield from inferencer.iter_scores(
        _sample_paths(dataset_or_paths), batch_size, num_workers, progress)


def predict_scores(model: nn.Module,
                   dataset_or_paths: ImageSource,
                   pipeline: Optional[PipelineCfg] = None,
                   batch_size: int = 32,
                   num_workers: int = 0,
                   progress: bool = True) -> Tuple[List[str], np.ndarray]:
    """Predict the scores of all images at once.

    Same arguments as :func:`iter_predictions`, which this collects.

    Args:
        model (nn.Module): Model with ``test_step``.
        dataset_or_paths (BaseDataset | dict | Sequence[str]): Images.
        pipeline (Sequence[dict] | Compose, optional): Transforms.
        batch_size (int): Images per forward pass. Defaults to 32.
        num_workers (int): Data loading workers. Defaults to 0.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        tuple[list[str], np.ndarray]: Image paths and scores of shape
        ``(N, num_outputs)`` (float32), in input order.

    Example:
        >>> import tempfile
        >>> import mmcv
        >>> model = build_model_from_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py')
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     files = [f'{tmp}/a.jpg', f'{tmp}/b.jpg']
        ...     for file in files:
        ...         _ = mmcv.imwrite(np.zeros((64, 64, 3), np.uint8), file)
        ...     paths, scores = predict_scores(model, files, progress=False)
        >>> scores.shape
        (2, 1)
    """
    all_paths: List[str] = []
    all_scores: List[np.ndarray] = []
    for paths, scores in iter_predictions(model, dataset_or_paths, pipeline,
                                          batch_size, num_workers, progress):
        all_paths.extend(paths)
        all_scores.append(scores)
    if not all_scores:
        return all_paths, np.zeros((0, 1), dtype=np.float32)
    return all_paths, np.concatenate(all_scores, axis=0)

