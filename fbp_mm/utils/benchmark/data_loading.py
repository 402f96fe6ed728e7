"""Decode + augment throughput of a config's data pipeline, per worker.

:func:`benchmark_data_pipeline` writes JPEG files of drawn demo faces at
the config's input size (so decoding costs what a face dataset's files
cost), then runs the config's whole pipeline, image loading included, in
this process: what one dataloader worker does per sample.
"""
import os.path as osp
import tempfile
import time
from typing import Optional, Union

import cv2
import numpy as np
from mmengine.config import Config

from ..config_loading import load_config
from .inputs import config_pipelines, find_input_size, synthetic_results

__all__ = ['benchmark_data_pipeline']


def benchmark_data_pipeline(config: Union[str, Config],
                            split: str = 'train',
                            num_images: int = 64,
                            size: Optional[int] = None,
                            repeats: int = 3,
                            seed: int = 0) -> dict:
    """Images/s of one worker through ``split``'s pipeline.

    Args:
        config (str | Config): Config file or loaded config.
        split (str): ``'train'``, ``'val'`` or ``'test'``. Defaults to
            ``'train'``.
        num_images (int): JPEG files written and read per pass.
            Defaults to 64.
        size (int, optional): Side of the files; the config's input size
            by default (224 for the real-data configs).
        repeats (int): Passes over the files (the best one is reported,
            the first warms caches). Defaults to 3.
        seed (int): Seed of the drawn faces and of the augmentation.

    A dataset made of parts with their own pipelines (a ``ConcatDataset``
    of labeled and unlabeled faces) gets each pipeline measured on the
    same files.

    Returns:
        dict: ``split``, ``size``, ``num_images``, ``pipelines`` (one dict
        per pipeline: ``dataset``, the dotted path of the dataset config
        that holds it, ``images_per_s`` of one worker, ``ms_per_image``
        and ``transforms``, the type names), and the first pipeline's
        ``images_per_s``, ``ms_per_image`` and ``transforms`` at the top.

    Example:
        >>> # report = benchmark_data_pipeline('configs/fbp/'
        >>> #     'mae_vit-small-p16_8xb64-400e_unlabeled-faces.py')
        >>> # report['images_per_s']
    """
    from mmengine.dataset import Compose
    from mmengine.registry import DefaultScope

    import fbp_mm  # noqa: F401  (registers the transforms)
    from fbp_mm.generators.synthetic_faces import (draw_face,
                                                   sample_face_params)
    cfg = load_config(config) if isinstance(config, str) else config
    pipelines = config_pipelines(cfg, split)
    if not pipelines:
        raise ValueError(f'The config has no {split} pipeline.')
    size = int(size or find_input_size(cfg, split))
    rng = np.random.default_rng(seed)
    np.random.seed(seed)
    with tempfile.TemporaryDirectory() as folder:
        samples = []
        for i in range(num_images):
            img = draw_face(sample_face_params(rng), size=size)
            path = osp.join(folder, f'{i}.jpg')
            cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 90])
            # the face keys (landmarks, box) face transforms read; the
            # image itself comes from the file
            results = synthetic_results(i, size, rng)
            for key in ('img', 'img_shape', 'ori_shape'):
                results.pop(key)
            results['img_path'] = path
            samples.append(results)
        measured = []
        for where, transforms in pipelines:
            with DefaultScope.overwrite_default_scope('mmpretrain'):
                pipeline = Compose([dict(t) for t in transforms])
            best = None
            for _ in range(max(1, repeats)):
                start = time.perf_counter()
                for results in samples:
                    pipeline(dict(results))
                seconds = time.perf_counter() - start
                best = seconds if best is None else min(best, seconds)
            measured.append(dict(
                dataset=where,
                images_per_s=round(num_images / best, 1),
                ms_per_image=round(1000 * best / num_images, 3),
                transforms=[str(t.get('type')) for t in transforms]))
    first = measured[0]
    return dict(
        split=split,
        size=size,
        num_images=num_images,
        images_per_s=first['images_per_s'],
        ms_per_image=first['ms_per_image'],
        transforms=first['transforms'],
        pipelines=measured)

