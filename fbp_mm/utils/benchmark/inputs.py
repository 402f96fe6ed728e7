"""Synthetic batches of the benchmark: random images through a config's
own pipeline, with the targets its loss needs."""
import copy
from functools import partial
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
from mmengine.config import Config

from ..cfg_checks import iter_dataset_cfgs
from .models import _deployed, _is_selfsup


_IMAGE_LOADERS = ('LoadImageFromFile', 'LoadImageFromNDArray')


def dataset_pipelines(dataset: Optional[dict]) -> List[tuple]:
    """``(dotted path, transforms)`` of every pipeline in a dataset config.

    A plain dataset has one; a ``ConcatDataset`` of labeled and unlabeled
    faces (the KD-on-unlabeled configs) has one per part, and a wrapper's
    own pipeline (``ClassBalancedDataset``, ``RepeatDataset`` hold none)
    comes first.

    Args:
        dataset (dict, optional): A dataloader's ``dataset`` config.

    Returns:
        list[tuple[str, list[dict]]]: Path and transforms, depth first.

    Example:
        >>> dataset_pipelines(dict(type='ConcatDataset', datasets=[
        ...     dict(type='A', pipeline=[dict(type='X')]),
        ...     dict(type='B', pipeline=[dict(type='Y')])]))
        ... # doctest: +NORMALIZE_WHITESPACE
        [('dataset.datasets.0', [{'type': 'X'}]),
         ('dataset.datasets.1', [{'type': 'Y'}])]
    """
    return [(path, list(node['pipeline']))
            for path, node in iter_dataset_cfgs(dataset)
            if node.get('pipeline') is not None]


def config_pipeline(cfg: Config, split: str = 'train') -> Optional[list]:
    """The data pipeline of ``split`` (``'train'``, ``'val'``, ``'test'``).

    Args:
        cfg (Config): The config.
        split (str): Which dataloader. Defaults to ``'train'``.

    Returns:
        list[dict] | None: The transforms, or None when the config has no
        such dataloader (e.g. ``test`` of a pretraining config).

    Example:
        >>> from fbp_mm.utils.benchmark import load_benchmark_config
        >>> cfg = load_benchmark_config(
        ...     'configs/pros/demo/pros_vit-tiny-p8_1xb64-8e_demo-faces.py')
        >>> [t['type'] for t in config_pipeline(cfg)]
        ['LoadImageFromFile', 'MultiCrop', 'PackInputs']
        >>> config_pipeline(cfg, 'test') is None
        True
    """
    found = config_pipelines(cfg, split)
    return found[0][1] if found else None


def config_pipelines(cfg: Config, split: str = 'train') -> List[tuple]:
    """``(where, transforms)`` of every pipeline of ``split``'s data.

    The pipelines of the dataloader's dataset and of every dataset it
    wraps (:func:`dataset_pipelines`), else the config's top-level
    ``{split}_pipeline``; :func:`config_pipeline` is the first of them.

    Args:
        cfg (Config): The config.
        split (str): Which dataloader. Defaults to ``'train'``.

    Returns:
        list[tuple[str, list[dict]]]: Where each pipeline is (a dotted path
        such as ``'dataset.datasets.1'``, or ``'train_pipeline'``) and its
        transforms; empty when there is none.
    """
    loader = cfg.get(f'{split}_dataloader', None)
    found = dataset_pipelines(
        loader.get('dataset') if isinstance(loader, dict) else None)
    if not found and cfg.get(f'{split}_pipeline', None) is not None:
        found = [(f'{split}_pipeline', list(cfg[f'{split}_pipeline']))]
    return found


def _type_name(transform: dict) -> str:
    kind = transform.get('type', '')
    name = getattr(kind, '__name__', str(kind))
    return name.split('.')[-1]


def _sizes_in(value) -> List[int]:
    if isinstance(value, int) and value > 0:
        return [value]
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, int) and v > 0 for v in value):
        return list(value)
    return []


def _pipeline_sizes(transforms: Sequence) -> List[int]:
    """Every output side a pipeline's resize / crop transforms name."""
    sizes: List[int] = []
    for transform in transforms:
        if isinstance(transform, (list, tuple)):
            sizes += _pipeline_sizes(transform)
            continue
        if not isinstance(transform, dict):
            continue
        name = _type_name(transform)
        for key in ('crop_size', 'size', 'global_size'):
            sizes += _sizes_in(transform.get(key))
        if 'Resize' in name or 'Crop' in name:
            sizes += _sizes_in(transform.get('scale'))
        if isinstance(transform.get('transforms'), (list, tuple)):
            sizes += _pipeline_sizes(transform['transforms'])
    return sizes


def find_input_size(cfg: Config, split: str = 'train') -> int:
    """The image side a config's model is fed.

    The largest side named by the resize / crop transforms of the split's
    pipeline (``RandomResizedCrop``, ``Resize``, ``CenterCrop``,
    ``CropFaceBox``, ``MultiCrop``...); without any, the backbone's
    ``img_size`` (the student's for a distiller); else 224.

    Args:
        cfg (Config): The config.
        split (str): Which pipeline. Defaults to ``'train'``.

    Returns:
        int: The side in pixels (synthetic images are square).

    Example:
        >>> from fbp_mm.utils.benchmark import load_benchmark_config
        >>> find_input_size(load_benchmark_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py'))
        64
    """
    sizes = _pipeline_sizes(config_pipeline(cfg, split) or [])
    if sizes:
        return max(sizes)
    model = cfg.get('model', {})
    if isinstance(model, dict) and isinstance(model.get('student'), dict):
        model = model['student']
    backbone = model.get('backbone', None) if isinstance(model, dict) \
        else None
    if isinstance(backbone, dict):
        size = backbone.get('img_size', None)
        found = _sizes_in(size)
        if found:
            return max(found)
    return 224


def synthetic_targets(model: nn.Module,
                      rng: np.random.Generator) -> Dict[str, object]:
    """Targets a model's head learns from, drawn at random.

    ``gt_score`` for fbp_mm's regression heads (``num_outputs`` values in
    ``score_range``), ``gt_label`` for MMPretrain classification heads (a
    class index; a few indices for multi-label heads). Other heads take
    their targets from the pipeline (e.g. ``face_landmarks``, always given
    by :func:`synthetic_results`), self-supervised algorithms none.

    Args:
        model (nn.Module): The model (a distiller's student head counts).
        rng (np.random.Generator): Source of randomness.

    Returns:
        dict: Keys to add to the pipeline's input dict.

    Example:
        >>> from fbp_mm.utils.benchmark import (build_benchmark_model,
        ...                                     load_benchmark_config)
        >>> cfg = load_benchmark_config(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py')
        >>> model, _ = build_benchmark_model(cfg)
        >>> rng = np.random.default_rng(0)
        >>> synthetic_targets(model, rng)  # doctest: +ELLIPSIS
        {'gt_score': [3.547...]}
    """
    from mmpretrain.models.heads import ClsHead, MultiLabelClsHead

    from fbp_mm.models.heads import RegressionHead
    head = getattr(_deployed(model), 'head', None)
    if isinstance(head, RegressionHead):
        low, high = head.score_range or (0.0, 1.0)
        values = rng.uniform(low, high, head.num_outputs)
        return dict(gt_score=[float(v) for v in values])
    if isinstance(head, MultiLabelClsHead):
        num = int(head.num_classes)
        picked = rng.choice(num, size=max(1, num // 4), replace=False)
        return dict(gt_label=sorted(int(i) for i in picked))
    if isinstance(head, ClsHead) and hasattr(head, 'num_classes'):
        return dict(gt_label=int(rng.integers(0, int(head.num_classes))))
    return {}


def synthetic_results(index: int, size: int, rng: np.random.Generator,
                      targets: Optional[dict] = None) -> dict:
    """A pipeline input dict holding a random image, as a loader leaves it.

    The image is random uint8 noise in ``[1, 255]`` (never all zeros); the
    face keys the face transforms read come from the synthetic face
    generator: 68 ``face_landmarks`` of a drawn face scaled to ``size`` and
    their box ``face_box``.

    Args:
        index (int): Sample index (names the fake ``img_path``).
        size (int): Image side.
        rng (np.random.Generator): Source of randomness.
        targets (dict, optional): Target keys to add (see
            :func:`synthetic_targets`).

    Returns:
        dict: ``img``, ``img_shape``, ``ori_shape``, ``img_path``,
        ``sample_idx``, ``face_landmarks``, ``face_box`` and the targets.

    Example:
        >>> res = synthetic_results(0, 64, np.random.default_rng(0))
        >>> res['img'].shape, res['face_landmarks'].shape
        ((64, 64, 3), (68, 2))
    """
    from fbp_mm.generators.synthetic_faces import (face_landmarks,
                                                   sample_face_params)
    img = rng.integers(1, 256, (size, size, 3), dtype=np.uint8)
    points = face_landmarks(sample_face_params(rng), size=size)
    box = np.array([*points.min(0), *points.max(0)], dtype=np.float32)
    results = dict(
        img=img,
        img_shape=(size, size),
        ori_shape=(size, size),
        img_path=f'synthetic_{index}.png',
        sample_idx=index,
        face_landmarks=points.astype(np.float32),
        face_box=box)
    results.update(copy.deepcopy(targets or {}))
    return results


def _build_pipeline(transforms: list) -> Callable[[dict], dict]:
    """The pipeline's transforms after its image loading."""
    from mmengine.dataset import Compose
    from mmengine.registry import DefaultScope
    keep = [
        t for t in transforms
        if not (isinstance(t, dict) and _type_name(t) in _IMAGE_LOADERS)
    ]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return Compose(keep)


def _collate_fn(cfg: Config, split: str) -> Callable:
    """The collate function of a dataloader config, as the runner picks."""
    from mmengine.registry import FUNCTIONS, DefaultScope
    loader = cfg.get(f'{split}_dataloader', None) or {}
    spec = copy.deepcopy(
        loader.get('collate_fn', None) or dict(type='pseudo_collate'))
    spec = dict(spec)
    kind = spec.pop('type')
    if isinstance(kind, str):
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            kind = FUNCTIONS.get(kind)
    return partial(kind, **spec)


def _plain_batch(model: nn.Module, batch_size: int, size: int,
                 rng: np.random.Generator) -> dict:
    """Random uint8 images as one tensor, with targets in data samples."""
    from mmpretrain.structures import DataSample
    inputs = torch.from_numpy(
        rng.integers(1, 256, (batch_size, 3, size, size), dtype=np.uint8))
    samples = []
    for _ in range(batch_size):
        sample = DataSample()
        targets = synthetic_targets(model, rng)
        if 'gt_score' in targets:
            sample.set_gt_score(targets['gt_score'])
        if 'gt_label' in targets:
            sample.set_gt_label(targets['gt_label'])
        samples.append(sample)
    return dict(inputs=inputs, data_samples=samples)


def make_synthetic_batch(cfg: Config,
                         model: nn.Module,
                         batch_size: int,
                         mode: str = 'train',
                         seed: int = 0) -> Tuple[dict, List[str]]:
    """One batch of random images packed as the model's preprocessor wants.

    For ``train`` / ``distill`` the config's training pipeline (its image
    loading skipped) runs on :func:`synthetic_results` and its dataloader's
    ``collate_fn`` batches them, so multi-view inputs (``MultiCrop`` for
    ProS, ``FacePriorViews`` for FacePrior), face-prior targets and packed
    ``algorithm_keys`` are exactly what training sees. For ``infer`` a
    supervised model goes through its test (else val) pipeline the same
    way; a self-supervised algorithm gets one view, a ``(N, 3, S, S)``
    uint8 tensor at the training size. When a pipeline fails on the
    synthetic input, a plain tensor batch with the head's targets is used
    and a note says why.

    Args:
        cfg (Config): The config.
        model (nn.Module): The built model (its head sets the targets).
        batch_size (int): Images in the batch.
        mode (str): ``'train'``, ``'infer'`` or ``'distill'``.
        seed (int): Seed of the images and targets. Defaults to 0.

    Returns:
        tuple[dict, list[str]]: ``dict(inputs=..., data_samples=...)`` on
        the CPU, and notes.

    Example:
        >>> from fbp_mm.utils.benchmark import (build_benchmark_model,
        ...                                     load_benchmark_config)
        >>> cfg = load_benchmark_config('configs/face_prior/demo/'
        ...                             'face-prior_vit-tiny-p8_1xb64-8e_'
        ...                             'demo-faces.py')
        >>> model, _ = build_benchmark_model(cfg)
        >>> batch, notes = make_synthetic_batch(cfg, model, 2)
        >>> [tuple(view.shape) for view in batch['inputs']]  # 2 views
        [(2, 3, 64, 64), (2, 3, 64, 64)]
    """
    rng = np.random.default_rng(seed)
    notes: List[str] = []
    split = 'train'
    if mode == 'infer':
        if _is_selfsup(model):
            size = find_input_size(cfg, 'train')
            return _plain_batch(model, batch_size, size, rng), notes
        split = next((s for s in ('test', 'val')
                      if config_pipeline(cfg, s) is not None), 'train')
    transforms = config_pipeline(cfg, split)
    size = find_input_size(cfg, split)
    if transforms is None:
        notes.append(f'no {split} pipeline in the config: plain '
                     f'{size}x{size} tensors')
        return _plain_batch(model, batch_size, size, rng), notes
    try:
        pipeline = _build_pipeline(transforms)
        samples = []
        for i in range(batch_size):
            results = synthetic_results(i, size, rng,
                                        synthetic_targets(model, rng))
            out = pipeline(results)
            if out is None:
                raise ValueError('the pipeline dropped the sample')
            samples.append(out)
        batch = _collate_fn(cfg, split)(samples)
    except Exception as error:  # noqa: BLE001 (reported, then a fallback)
        notes.append(f'the {split} pipeline failed on synthetic images '
                     f'({type(error).__name__}: {error}); plain '
                     f'{size}x{size} tensors instead')
        return _plain_batch(model, batch_size, size, rng), notes
    return batch, notes


def _first_image(inputs) -> torch.Tensor:
    while isinstance(inputs, (list, tuple)):
        inputs = inputs[0]
    return inputs


def batch_input_size(batch: dict) -> Tuple[int, int]:
    """``(H, W)`` of the first (global) view of a packed batch.

    Args:
        batch (dict): ``dict(inputs=...)``: a tensor, a list of images or
            a list of views.

    Returns:
        tuple[int, int]: Height and width.

    Example:
        >>> batch_input_size(dict(inputs=[torch.zeros(3, 32, 48)]))
        (32, 48)
    """
    image = _first_image(batch['inputs'])
    return int(image.shape[-2]), int(image.shape[-1])


def _channels_last(inputs):
    """Put 4-D tensors in channels-last; stack a list of equal images."""
    if isinstance(inputs, torch.Tensor):
        if inputs.dim() == 4:
            return inputs.contiguous(memory_format=torch.channels_last)
        return inputs
    if isinstance(inputs, (list, tuple)):
        if inputs and all(
                isinstance(x, torch.Tensor) and x.dim() == 3 for x in inputs) \
                and len({tuple(x.shape) for x in inputs}) == 1:
            return _channels_last(torch.stack(list(inputs)))
        return type(inputs)(_channels_last(x) for x in inputs)
    return inputs
