"""Per-attribute accuracy of binary attribute predictions."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.structures import BaseDataElement
from mmpretrain.registry import METRICS
from mmpretrain.structures import label_to_onehot

from .regression_metric import _to_vector


def binary_targets(data_sample: dict, num_attributes: int) -> torch.Tensor:
    """The 0/1 ground truth of one sample, as a bool vector.

    Read from ``gt_attributes`` (a 0/1 vector), else ``gt_score`` (the
    multi-hot vector MMPretrain packs for multi-label data), else
    ``gt_label`` (MMPretrain's index list of the positive attributes,
    as :class:`mmpretrain.datasets.MultiLabelDataset` stores it).

    Args:
        data_sample (dict): The sample as a dict.
        num_attributes (int): Length of the prediction.

    Returns:
        Tensor: ``(num_attributes,)`` bool tensor.
    """
    for key in ('gt_attributes', 'gt_score'):
        if data_sample.get(key) is not None:
            target = _to_vector(data_sample[key])
            if not torch.all((target == 0) | (target == 1)):
                raise ValueError(
                    f'{key} of {data_sample.get("img_path")} must hold only '
                    f'0 and 1, got {target.tolist()}.')
            break
    else:
        if data_sample.get('gt_label') is None:
            raise KeyError(
                'AttributeAccuracy needs `gt_attributes`, `gt_score` or '
                f'`gt_label` in every data sample; '
                f'{data_sample.get("img_path")} has none of them.')
        labels = _to_vector(data_sample['gt_label']).long()
        if labels.numel() and not (0 <= labels.min()
                                   and labels.max() < num_attributes):
            raise ValueError(
                f'gt_label of {data_sample.get("img_path")} holds indices '
                f'{labels.tolist()} outside [0, {num_attributes}).')
        target = label_to_onehot(labels, num_attributes)
    if target.numel() != num_attributes:
        raise ValueError(
            f'{data_sample.get("img_path")}: {target.numel()} ground-truth '
            f'attributes but {num_attributes} predicted scores.')
    return target.bool()


@METRICS.register_module()
class AttributeAccuracy(BaseMetric):
    """Accuracy of each binary attribute and their mean.

    Every data sample must carry ``pred_score``: ``A`` probabilities, one per
    attribute (the sigmoid scores that MMPretrain's
    ``MultiLabelLinearClsHead`` writes). An attribute is predicted positive
    when its score is ``>= thr``. The ground truth is read from
    ``gt_attributes`` (0/1), else ``gt_score`` (0/1 multi-hot), else
    ``gt_label`` (indices of the positive attributes), see
    :func:`binary_targets`.

    Reported (plain keys unless ``prefix`` is given), in percent:

    - ``mean_accuracy``: mean over attributes of their accuracy;
    - ``accuracy/<name>``: accuracy of each attribute, named after
      ``self.dataset_meta['classes']`` when the dataset sets it, else
      ``accuracy/<index>``.

    Args:
        thr (float): Score threshold of a positive prediction.
            Defaults to 0.5.
        collect_device (str): Device used to gather results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix added to the result keys. Defaults to
            None (plain keys).
        collect_dir (str, optional): Directory for gathering results with
            ``collect_device='cpu'``. Defaults to None.

    Example:
        >>> val_evaluator = dict(type='AttributeAccuracy', thr=0.5)
        >>> default_hooks = dict(
        ...     checkpoint=dict(type='CheckpointHook',
        ...                     save_best='mean_accuracy', rule='greater'))
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 thr: float = 0.5,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        # BaseMetric warns when no prefix is set; plain keys are intended.
        super().__init__(
            collect_device=collect_device,
            prefix=prefix or 'attribute',
            collect_dir=collect_dir)
        self.prefix = prefix
        self.thr = float(thr)

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Store which attributes of every sample are predicted correctly.

        Args:
            data_batch: A batch of data from the dataloader (unused).
            data_samples (Sequence[dict | DataSample]): Model outputs, as
                dicts or as data samples.
        """
        for data_sample in data_samples:
            if isinstance(data_sample, BaseDataElement):
                data_sample = data_sample.to_dict()
            if data_sample.get('pred_score') is None:
                raise KeyError(
                    'AttributeAccuracy needs `pred_score` in every data '
                    f'sample; {data_sample.get("img_path")} has none.')
            score = _to_vector(data_sample['pred_score']).float()
            target = binary_targets(data_sample, score.numel())
            self.results.append(dict(correct=(score >= self.thr) == target))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the mean and per-attribute accuracies.

        Args:
            results (list[dict]): Items stored by :meth:`process`.

        Returns:
            dict[str, float]: Metric name to value.
        """
        if len(results) == 0:
            raise ValueError('AttributeAccuracy got no samples to evaluate.')
        sizes = {r['correct'].numel() for r in results}
        if len(sizes) != 1:
            raise ValueError('All samples must have the same number of '
                             f'attributes, got {sorted(sizes)}.')
        correct = torch.stack([r['correct'] for r in results]).double()
        per_attribute = (100.0 * correct.mean(0)).tolist()
        names = (self.dataset_meta or {}).get('classes')
        if names is not None and len(names) != len(per_attribute):
            raise ValueError(
                f"dataset_meta['classes'] names {len(names)} attributes but "
                f'the samples have {len(per_attribute)}.')
        if names is None:
            names = [str(i) for i in range(len(per_attribute))]
        metrics = dict(mean_accuracy=float(np.mean(per_attribute)))
        for name, value in zip(names, per_attribute):
            metrics[f'accuracy/{name}'] = float(value)
        return metrics
