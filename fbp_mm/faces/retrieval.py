# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face-aware retrieval: keep the images whose embedding is near a seed set.

ProS curates its unlabeled pool by retrieving, from a large crawl, the
images that resemble known face crops. Here any MMPretrain or fbp_mm model
(a config and checkpoint, or an MMPretrain model name) embeds the images
through MMPretrain's ``FeatureExtractor``; an image's score is the mean
cosine similarity to its ``k`` nearest seeds.

Example:
    >>> import numpy as np
    >>> seeds = np.eye(3)
    >>> knn_scores(np.array([[1.0, 0.1, 0.0], [0.0, 0.0, -1.0]]), seeds, k=1)
    array([0.99503719, 0.        ])
"""
from typing import Optional, Sequence, Union

import numpy as np

__all__ = ['embed_images', 'knn_scores']


def _vector(feature) -> np.ndarray:
    """One flat vector from a model's output for one image: the last
    stage; a ``C x H x W`` map is averaged over space."""
    while isinstance(feature, (list, tuple)):
        feature = feature[-1]
    array = feature.detach().cpu().float().numpy() if hasattr(
        feature, 'detach') else np.asarray(feature, dtype=np.float32)
    if array.ndim == 3:
        array = array.mean(axis=(1, 2))
    return array.reshape(-1)


def embed_images(paths: Sequence[str],
                 model: Union[str, object],
                 checkpoint: Optional[str] = None,
                 batch_size: int = 16,
                 device: str = 'cpu',
                 stage: str = 'backbone') -> np.ndarray:
    """L2-normalised embeddings of images.

    Args:
        paths (Sequence[str]): Image files.
        model (str | Config | BaseModel): Config file, MMPretrain model
            name or model.
        checkpoint (str, optional): Weights (None: the name's own, or the
            config's initialisation).
        batch_size (int): Defaults to 16.
        device (str): Defaults to ``'cpu'``.
        stage (str): ``'backbone'``, ``'neck'`` or ``'pre_logits'``, as
            MMPretrain's ``FeatureExtractor``. Defaults to ``'backbone'``.

    Returns:
        np.ndarray: ``(len(paths), D)`` float32 unit vectors.
    """
    from mmpretrain.apis import FeatureExtractor
    extractor = FeatureExtractor(
        model, pretrained=checkpoint if checkpoint else False, device=device)
    outputs = extractor(list(paths), batch_size=batch_size, stage=stage)
    vectors = np.stack([_vector(o) for o in outputs]).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def knn_scores(queries: np.ndarray, seeds: np.ndarray, k: int = 5
               ) -> np.ndarray:
    """Mean cosine similarity of each query to its ``k`` nearest seeds.

    Args:
        queries (np.ndarray): ``(N, D)`` vectors.
        seeds (np.ndarray): ``(M, D)`` vectors.
        k (int): Neighbours (at most M). Defaults to 5.

    Returns:
        np.ndarray: ``(N,)`` scores in ``[-1, 1]``.
    """
    def unit(x):
        x = np.asarray(x, dtype=np.float64)
        return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)

    sims = unit(queries) @ unit(seeds).T
    k = max(1, min(int(k), sims.shape[1]))
    return np.sort(sims, axis=1)[:, -k:].mean(axis=1)
