# Copyright (c) fbp_mm contributors. All rights reserved.
"""Open, key and save a distiller's teacher-output cache."""
import hashlib
import logging
import os
from typing import List

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model

from ...utils.cfg_checks import iter_dataset_cfgs
from ...utils.hashing import json_sha256

#: Random transforms whose every draw is part of the cache key (the flip
#: direction is); any other random transform makes cached targets those of
#: the first view seen.
KEYED_RANDOM_TRANSFORMS = ('RandomFlip', )


def weights_sha256(module: torch.nn.Module) -> str:
    """Hash of a module's parameters and buffers (names, shapes, values).

    Args:
        module (nn.Module): The teacher.

    Returns:
        str: Hex digest.
    """
    digest = hashlib.sha256()
    for name, value in sorted(module.state_dict().items()):
        digest.update(name.encode())
        tensor = value.detach().cpu().contiguous()
        digest.update(str((tuple(tensor.shape), tensor.dtype)).encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes()
                      if tensor.numel() else b'')
    return digest.hexdigest()


def _datasets(dataset) -> list:
    inner = getattr(dataset, 'datasets', None)
    if inner is not None:  # ConcatDataset and the like
        return [d for sub in inner for d in _datasets(sub)]
    inner = getattr(dataset, 'dataset', None)
    return _datasets(inner) if inner is not None else [dataset]


def image_listing(dataset) -> List[list]:
    """``[path, size, mtime_ns]`` of every image of a (nested) dataset."""
    listing = []
    for part in _datasets(dataset):
        for i in range(len(part)):
            path = part.get_data_info(i).get('img_path')
            stat = os.stat(path) if path and os.path.exists(path) else None
            listing.append([path, stat.st_size if stat else None,
                            stat.st_mtime_ns if stat else None])
    return listing


def _transform_types(dataset_cfg) -> List[str]:
    """Type names of every transform of a (wrapped) dataset config."""
    return [
        str(t.get('type')) for _, node in iter_dataset_cfgs(dataset_cfg)
        for t in node.get('pipeline') or [] if isinstance(t, dict)
    ]


@HOOKS.register_module()
class TeacherOutputCacheHook(Hook):
    """Key a distiller's ``teacher_cache`` and write it after each epoch.

    Before training, the cache of
    :class:`~fbp_mm.models.distillers.TeacherStudentDistiller` (its
    ``teacher_cache=dict(cache_dir=...)``) is opened under a fingerprint of
    what the teacher's targets depend on: the teacher's weights (the
    checkpoint's content, whatever its file), the distiller's teacher
    input settings, every training image (path, size, modification time)
    and the training dataset config (its pipeline included). Any change
    gives a new fingerprint and an empty cache. After each epoch the new
    entries are written; the log says how many steps ran the teacher.

    Example:
        A distiller config turns the cache on with two entries, as the demo
        config below does on top of its knowledge-distillation config:

        >>> from mmengine.config import Config
        >>> cfg = Config.fromfile(
        ...     'configs/fiqa/demo/edgenext-xxsmall_1xb32-24e_'
        ...     'fiqa-demo-64px_student-kd_teacher-cache.py')
        >>> cfg.model.type, cfg.model.teacher_cache
        ('TeacherStudentDistiller', {'cache_dir': 'work_dirs/teacher_cache'})
        >>> cfg.custom_hooks
        [{'type': 'TeacherOutputCacheHook'}]
    """

    priority = 'NORMAL'

    def before_train(self, runner: Runner) -> None:
        model = get_ori_model(runner.model)
        cache = getattr(model, 'teacher_cache', None)
        if cache is None:
            raise ValueError(
                'TeacherOutputCacheHook needs a distiller with '
                'teacher_cache=dict(cache_dir=...) in the model config.')
        dataset_cfg = runner.cfg.train_dataloader.get('dataset')
        random = sorted({
            t for t in _transform_types(dataset_cfg)
            if 'Random' in t and t.split('.')[-1]
            not in KEYED_RANDOM_TRANSFORMS
        })
        if random:
            print_log(
                f'TeacherOutputCacheHook: the training pipeline has random '
                f'transforms {random}: cached teacher targets are those of '
                'the first view of each image, not of each epoch\'s view.',
                logger='current', level=logging.WARNING)
        fingerprint = json_sha256(dict(
            teacher=weights_sha256(model.teacher),
            teacher_input_size=model.teacher_input_size,
            teacher_records=sorted(model.teacher_recorder.records.items(),
                                   key=lambda kv: kv[0]),
            dataset=dataset_cfg,
            images=image_listing(runner.train_dataloader.dataset)))
        cache.open(fingerprint)
        print_log(
            f'Teacher output cache {cache.folder}: {len(cache)} views '
            'cached.', logger='current')

    def after_train_epoch(self, runner: Runner) -> None:
        cache = get_ori_model(runner.model).teacher_cache
        path = cache.save()
        print_log(
            f'Teacher output cache: {cache.misses} steps ran the teacher, '
            f'{cache.hits} took cached targets ({len(cache)} views'
            f'{", written to " + path if path else ""}).',
            logger='current')
        cache.hits = cache.misses = 0
