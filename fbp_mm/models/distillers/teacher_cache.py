# Copyright (c) fbp_mm contributors. All rights reserved.
"""Teacher outputs computed once per training view and kept on disk.

Distillation pays a teacher forward on every step. When the teacher's
view of an image is the same every epoch (a deterministic pipeline, or
one whose only randomness is a horizontal flip), its outputs can be
computed once: :class:`TeacherOutputCache` stores, per image path and
flip, the tensors the distiller's teacher recorders hold, and the
distiller takes them from the cache on later steps instead of running
the teacher.

The cache lives in ``<cache_dir>/<fingerprint>/``; the fingerprint
(:class:`~fbp_mm.engine.hooks.TeacherOutputCacheHook` computes it at the
start of training) covers the teacher checkpoint's content, the teacher's
config, the training images and the training pipeline, so changing any of
them starts a new cache. Targets of a pipeline with other random
transforms (crops, degradations) are those of the first view seen; the
hook warns about such pipelines: leave the cache off where the targets
must follow the augmentation.
"""
import glob
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.dist import get_rank

__all__ = ['TeacherOutputCache', 'sample_key']


def sample_key(data_sample) -> str:
    """Cache key of one training view: the image path and its flip.

    Args:
        data_sample (DataSample): A sample packed with ``img_path`` (and,
            after a random flip, ``flip`` / ``flip_direction``).

    Returns:
        str: ``'<img_path>|<flip direction or "-">'``.

    Raises:
        KeyError: The sample has no ``img_path``.
    """
    path = data_sample.get('img_path')
    if path is None:
        raise KeyError(
            'The teacher cache keys samples by img_path; this sample has '
            "none (keep 'img_path' in PackInputs' meta_keys).")
    flip = data_sample.get('flip_direction') if data_sample.get('flip') \
        else None
    return f'{path}|{flip or "-"}'


class TeacherOutputCache:
    """Per-view teacher records, in memory and in one file on disk.

    Args:
        cache_dir (str): Folder of the caches (one sub-folder per
            fingerprint).

    Example:
        >>> cache = TeacherOutputCache('work_dirs/kd/teacher_cache')
        >>> cache.open('3f2a...')            # the hook does this
        >>> cache.lookup(['a.png|-'])        # None: not cached yet
        >>> cache.store(['a.png|-'], dict(kd_scores=torch.ones(1, 1)))
        >>> cache.lookup(['a.png|-'])['kd_scores'].shape
        torch.Size([1, 1])
    """

    def __init__(self, cache_dir: str) -> None:
        self.cache_dir = cache_dir
        self.fingerprint: Optional[str] = None
        self._entries: Dict[str, Dict[str, torch.Tensor]] = {}
        self._dirty = False
        self.hits = 0
        self.misses = 0

    @property
    def is_open(self) -> bool:
        return self.fingerprint is not None

    @property
    def folder(self) -> str:
        return osp.join(self.cache_dir, str(self.fingerprint))

    def __len__(self) -> int:
        return len(self._entries)

    def open(self, fingerprint: str) -> None:
        """Use the cache of ``fingerprint`` (read it if it is on disk).

        Args:
            fingerprint (str): What the cached targets depend on, hashed.
        """
        if fingerprint == self.fingerprint:
            return
        self.fingerprint = fingerprint
        self._entries = {}
        self._dirty = False
        # one file per rank (each rank sees its share of the images)
        for path in sorted(glob.glob(osp.join(self.folder, 'rank*.pt'))):
            self._entries.update(
                torch.load(path, map_location='cpu', weights_only=True))

    def lookup(self, keys: Sequence[str]
               ) -> Optional[Dict[str, torch.Tensor]]:
        """The stacked records of ``keys``, or None unless all are cached.

        Args:
            keys (Sequence[str]): :func:`sample_key` of each sample.

        Returns:
            dict[str, Tensor] | None: Record name to ``(N, ...)`` tensor.
        """
        if not self.is_open:
            raise RuntimeError(
                'The teacher cache is not open: add '
                "dict(type='TeacherOutputCacheHook') to custom_hooks.")
        entries = [self._entries.get(k) for k in keys]
        if not entries or any(e is None for e in entries):
            self.misses += 1
            return None
        self.hits += 1
        return {
            name: torch.stack([e[name] for e in entries])
            for name in entries[0]
        }

    def store(self, keys: Sequence[str],
              records: Dict[str, torch.Tensor]) -> None:
        """Keep each sample's row of every record.

        Args:
            keys (Sequence[str]): :func:`sample_key` of each sample.
            records (dict[str, Tensor]): Record name to ``(N, ...)``
                tensor, ``N == len(keys)``.

        Raises:
            TypeError: A record that is not a tensor with one row per
                sample (a tuple of neck outputs, say: record one of its
                items with ``index``).
        """
        for name, value in records.items():
            if not isinstance(value, torch.Tensor) or value.dim() == 0 \
                    or value.size(0) != len(keys):
                raise TypeError(
                    f'Teacher record {name!r} cannot be cached: expected a '
                    f'tensor with {len(keys)} rows, got '
                    f'{type(value).__name__}'
                    f'{tuple(value.shape) if hasattr(value, "shape") else ""}'
                    '. Record a single tensor (e.g. index=-1).')
        for i, key in enumerate(keys):
            self._entries[key] = {
                name: value[i].detach().float().cpu().clone()
                for name, value in records.items()
            }
        self._dirty = True

    def save(self) -> Optional[str]:
        """Write this rank's entries (atomically) if they changed.

        Returns:
            str | None: The file written.
        """
        if not self._dirty or not self.is_open:
            return None
        os.makedirs(self.folder, exist_ok=True)
        path = osp.join(self.folder, f'rank{get_rank()}.pt')
        tmp = path + '.tmp'
        torch.save(self._entries, tmp)
        os.replace(tmp, path)
        self._dirty = False
        return path

    def keys(self) -> List[str]:
        return sorted(self._entries)
