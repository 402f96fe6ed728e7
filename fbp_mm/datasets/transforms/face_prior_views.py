# Copyright (c) fbp_mm contributors. All rights reserved.
"""Several augmented views of one face, each with its face-prior targets."""
import copy
from typing import List, Sequence, Union

import numpy as np
from mmengine.registry import DefaultScope
from mmpretrain.datasets.transforms import MultiView
from mmpretrain.registry import TRANSFORMS

__all__ = ['FacePriorViews', 'FACE_PRIOR_KEYS']

#: The per-view keys :class:`FacePriorTargets` writes, stacked per view.
FACE_PRIOR_KEYS = ('face_part_map', 'face_patch_labels', 'face_heatmaps',
                   'face_component_boxes', 'face_prior_valid')


@TRANSFORMS.register_module()
class FacePriorViews(MultiView):
    """Views of one face, each with its own landmark-following targets.

    MMPretrain's :class:`MultiView` runs each view's pipeline on a copy of
    the results and keeps only the images; this subclass also keeps, for
    every view, the keys in ``keys`` (by default the targets of
    :class:`FacePriorTargets`) and whether the view was flipped
    (``flip``, from :class:`RandomFaceFlip`). After it:

    - ``img`` is a list of the views' images (``PackInputs`` packs a list of
      tensors, one batch per view for :class:`~fbp_mm.models.selfsup.
      FacePrior`);
    - each key of ``keys`` is a NumPy array stacked over the views, shape
      ``(V, ...)`` (all views must give equal shapes, so give them one crop
      size);
    - ``face_view_flipped`` is a ``(V,)`` bool array.

    Put :class:`FacePriorTargets` last in each view's pipeline and pack the
    keys with ``PackInputs(algorithm_keys=[*FACE_PRIOR_KEYS,
    'face_view_flipped'])``.

    Args:
        transforms (Sequence[Sequence[dict]]): One pipeline per kind of
            view (MMPretrain's :class:`MultiView` argument).
        num_views (int | Sequence[int]): Views of each kind. Defaults to 2
            (two views of one kind).
        keys (Sequence[str]): The per-view keys to keep.
            Defaults to :data:`FACE_PRIOR_KEYS`.

    Example:
        >>> view = [
        ...     dict(type='CropFaceBox', size=64, scale=1.3,
        ...          scale_jitter=0.1, shift_jitter=0.05),
        ...     dict(type='RandomFaceFlip', prob=0.5),
        ...     dict(type='FacePriorTargets', patch_size=8)]
        >>> views = FacePriorViews(transforms=[view], num_views=2)
    """

    def __init__(self,
                 transforms: Sequence[Sequence[dict]],
                 num_views: Union[int, Sequence[int]] = 2,
                 keys: Sequence[str] = FACE_PRIOR_KEYS) -> None:
        # view pipelines are built from MMPretrain's (and fbp_mm's)
        # registered transforms, also outside a runner
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            super().__init__(transforms=transforms, num_views=num_views)
        self.keys = tuple(keys)

    def transform(self, results: dict) -> dict:
        """Apply every view's pipeline to a copy of ``results``.

        Args:
            results (dict): Pipeline results with ``img`` (and what the view
                pipelines read, e.g. ``face_landmarks``).

        Returns:
            dict: ``results`` with the list of views and the stacked keys.

        Raises:
            KeyError: A view's pipeline did not write one of ``keys``.
        """
        outputs: List[dict] = []
        for pipeline in self.transforms:
            outputs.append(pipeline(copy.deepcopy(results)))
        results['img'] = [out['img'] for out in outputs]
        for key in self.keys:
            missing = [i for i, out in enumerate(outputs) if key not in out]
            if missing:
                raise KeyError(
                    f'FacePriorViews: view(s) {missing} of '
                    f'{results.get("img_path")} did not write {key!r}; end '
                    f'each view pipeline with FacePriorTargets.')
            results[key] = np.stack([np.asarray(out[key]) for out in outputs])
        results['face_view_flipped'] = np.array(
            [bool(out.get('flip', False)) for out in outputs])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(views={len(self.transforms)}, '
                f'keys={self.keys})')
