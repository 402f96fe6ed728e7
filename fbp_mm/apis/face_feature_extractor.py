# Copyright (c) fbp_mm contributors. All rights reserved.
"""Face embeddings from any pretrained backbone: :class:`FaceFeatureExtractor`.
"""
from typing import Callable, List, Optional

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmpretrain.models import SelfSupDataPreprocessor
from mmpretrain.structures import DataSample

from .face_score_inferencer import FaceScoreInferencer, without_loader
from .inference import get_test_pipeline

__all__ = ['FaceFeatureExtractor', 'pool_features']


def pool_features(feats) -> torch.Tensor:
    """One vector per sample from a model's ``extract_feat`` output.

    The last output of a tuple is used; ``(N, L, C)`` tokens are averaged
    over ``L`` (the class token, when there is one, included), ``(N, C, H,
    W)`` maps over ``H, W``; ``(N, C)`` is returned as it is.

    Example:
        >>> pool_features((torch.ones(2, 5, 8),)).shape
        torch.Size([2, 8])
    """
    while isinstance(feats, (tuple, list)):
        feats = feats[-1]
    if feats.dim() == 3:
        return feats.mean(1)
    if feats.dim() == 4:
        return feats.mean((2, 3))
    if feats.dim() == 2:
        return feats
    raise ValueError('Cannot pool features of shape '
                     f'{tuple(feats.shape)} into one vector per sample.')


class FaceFeatureExtractor(FaceScoreInferencer):
    """An embedding per face from a classifier or a self-supervised model
    (ProS, Face-prior, MAE, multi-scale MAE): ``model.extract_feat`` of
    the face crop, pooled by :func:`pool_features`.

    Faces are found and cropped as in :class:`FaceScoreInferencer`; the
    crop goes through the config's test pipeline, or, for pretraining
    configs that have none, through ``Resize`` to ``img_size`` and
    ``PackInputs``.

    Args:
        model (str | Config | BaseModel): As for
            :class:`FaceScoreInferencer`.
        pretrained (str | bool): Checkpoint. Defaults to None.
        img_size (int, optional): Side of the resized face when the config
            has no test pipeline. Defaults to the backbone's ``img_size``,
            else 224.
        normalize (bool): L2-normalise the embeddings. Defaults to False.
        **kwargs: ``device``, ``detect``, ``face_preparation``,
            ``cfg_options`` as for :class:`FaceScoreInferencer`.

    Example:
        >>> extractor = FaceFeatureExtractor(
        ...     'configs/pros/pros_vit-small-p16_8xb64-100e_unlabeled-faces'
        ...     '.py', 'work_dirs/pros/epoch_100.pth',
        ...     detect=False)  # doctest: +SKIP
        >>> extractor('face.png')[0]['faces'][0]['embedding'][:3]
        ... # doctest: +SKIP
    """

    def __init__(self,
                 model,
                 pretrained=None,
                 img_size: Optional[int] = None,
                 normalize: bool = False,
                 **kwargs) -> None:
        self.img_size = img_size
        self.normalize = normalize
        super().__init__(model, pretrained, **kwargs)

    def _init_pipeline(self, cfg: Config) -> Callable:
        try:
            return Compose(without_loader(get_test_pipeline(cfg)))
        except KeyError:
            size = self.img_size or (cfg.model.get('backbone') or {}).get(
                'img_size', 224)
            if isinstance(size, (tuple, list)):
                size = size[0]
            return Compose([
                dict(type='Resize', scale=(int(size), int(size))),
                dict(type='PackInputs')
            ])

    @torch.no_grad()
    def forward(self, inputs: dict, **kwargs) -> List[DataSample]:
        """Embed a batch; the face info goes onto the data samples."""
        info = inputs.pop('face_info')
        preprocessor = self.model.data_preprocessor
        if isinstance(preprocessor, SelfSupDataPreprocessor):
            # it takes a list of views, each a batch: one view here
            inputs['inputs'] = [torch.stack(inputs['inputs'])]
        batch = preprocessor(inputs, False)['inputs']
        if isinstance(batch, (list, tuple)):
            batch = batch[0]
        feats = pool_features(self.model.extract_feat(batch))
        if self.normalize:
            feats = torch.nn.functional.normalize(feats.float(), dim=1)
        samples = []
        for feat, (index, box, score) in zip(feats, info):
            sample = DataSample()
            sample.set_metainfo(
                dict(input_index=index, face_box=box, face_score=score))
            sample.embedding = feat.detach().float().cpu()
            samples.append(sample)
        return samples

    def face_outputs(self, sample: DataSample) -> dict:
        """``embedding``: the face's vector as a float32 array."""
        return dict(embedding=sample.embedding.numpy().astype(np.float32))

    def visualize(self, inputs, preds, show_dir=None):
        """Embeddings draw no picture."""
        if show_dir:
            raise ValueError('FaceFeatureExtractor draws no pictures.')
        return None
