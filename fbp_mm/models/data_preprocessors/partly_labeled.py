"""A data preprocessor for batches in which only some images have targets."""
from typing import List

from mmpretrain.models.utils import ClsDataPreprocessor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


@MODELS.register_module()
class PartlyLabeledDataPreprocessor(ClsDataPreprocessor):
    """``ClsDataPreprocessor`` that accepts images without a target.

    MMPretrain's preprocessor stacks the ``gt_score`` of every sample as soon
    as the first one has one, so a batch mixing labeled images with images
    of an :class:`~fbp_mm.datasets.UnlabeledFaceDataset` fails. This class
    processes the images as its parent does and moves the scores of the
    samples that have one to the device, leaving the others without a
    target (a :class:`~fbp_mm.models.TeacherStudentDistiller` distils on
    them and leaves them out of the task loss). Fully labeled batches are
    processed exactly as by the parent. Batch augments (Mixup, CutMix)
    need every image labeled and raise an error on a mixed batch.

    Args:
        **kwargs: The arguments of ``ClsDataPreprocessor`` (``mean``,
            ``std``, ``to_rgb``, ...).

    Example:
        >>> model = dict(
        ...     type='TeacherStudentDistiller',
        ...     data_preprocessor=dict(
        ...         type='PartlyLabeledDataPreprocessor',
        ...         mean=[123.675, 116.28, 103.53],
        ...         std=[58.395, 57.12, 57.375], to_rgb=True),
        ...     student=..., teacher=...)
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        """Preprocess a batch; see the class docstring."""
        samples: List = data.get('data_samples') or []
        labeled = [
            s for s in samples
            if isinstance(s, DataSample) and 'gt_score' in s
        ]
        if not labeled or len(labeled) == len(samples):
            return super().forward(data, training)
        if training and self.batch_augments is not None:
            raise ValueError(
                'Batch augments (Mixup, CutMix) need a target for every '
                f'image; {len(samples) - len(labeled)} of {len(samples)} '
                'images in this batch have none.')
        scores = [(s, s.gt_score) for s in labeled]
        for sample, _ in scores:
            del sample.gt_score
        out = super().forward(data, training)
        for sample, score in scores:
            sample.set_gt_score(score.to(self.device))
        return out
