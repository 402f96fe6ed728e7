"""Normalised mean error, failure rate and AUC of predicted landmarks."""
import logging
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmengine.structures import BaseDataElement
from mmpretrain.registry import METRICS

NORMALIZATIONS = ('inter_ocular', 'inter_pupil', 'box', 'face_box')

#: Outer eye corners of the 68-point (300-W) convention.
EYE_CORNERS_68 = (36, 45)
#: The two eyes' points of the 68-point convention.
EYE_INDICES_68 = (tuple(range(36, 42)), tuple(range(42, 48)))


def _to_points(value) -> np.ndarray:
    """Turn a landmark field (tensor or array) into ``(K, 2)`` float64."""
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=np.float64).reshape(-1, 2)


def area_under_ced(nmes: np.ndarray, threshold: float,
                   step: float = 1e-4) -> float:
    """Area under the cumulative error distribution up to ``threshold``.

    The CED ``c(x)`` is the fraction of images whose NME is ``<= x``; it is
    sampled at ``x_j = j * threshold / n`` for ``j = 0..n`` with
    ``n = round(threshold / step)`` and integrated with the trapezoidal rule,
    then divided by ``threshold``:
    ``AUC = (step' / threshold) * (sum_j c(x_j) - (c(x_0) + c(x_n)) / 2)``,
    ``step' = threshold / n``. The result lies in ``[0, 1]``.

    Args:
        nmes (np.ndarray): Per-image NMEs (fractions, not percent).
        threshold (float): Upper end of the integration.
        step (float): Sampling step of the CED. Defaults to 1e-4.

    Returns:
        float: The normalised area.
    """
    nmes = np.sort(np.asarray(nmes, dtype=np.float64).reshape(-1))
    n = max(int(round(threshold / step)), 1)
    xs = np.linspace(0.0, threshold, n + 1)
    ced = np.searchsorted(nmes, xs, side='right') / nmes.size
    area = (xs[1] - xs[0]) * (ced.sum() - 0.5 * (ced[0] + ced[-1]))
    return float(area / threshold)


@METRICS.register_module()
class NMEMetric(BaseMetric):
    """Normalised mean error (NME) of predicted face landmarks.

    Every data sample must carry ``pred_landmarks`` (written by
    :class:`~fbp_mm.models.heads.LandmarkRegressionHead`) and
    ``face_landmarks`` (the ground truth), both ``(K, 2)`` in the same pixel
    coordinates. The NME of an image is the mean over its points of the
    Euclidean point-to-point error divided by a normaliser ``d`` computed
    from the ground truth:

    - ``'inter_ocular'``: distance between the two outer eye corners
      ``eye_corners``;
    - ``'inter_pupil'``: distance between the pupils, each the mean of the
      points of one eye (``eye_indices``);
    - ``'box'``: ``sqrt(w * h)`` of the extent of the ground-truth points;
    - ``'face_box'``: ``sqrt(w * h)`` of the sample's annotated
      ``face_box`` (``x1, y1, x2, y2`` in the landmarks' coordinates; pack
      it with ``PackInputs(algorithm_keys=['face_landmarks', 'face_box'])``),
      the normaliser of the AFLW-19 protocol.

    Reported (plain keys unless ``prefix`` is given):

    - ``nme``: mean over images of the NME, in percent (x100);
    - ``failure_rate``: percent of images whose NME is
      ``> failure_threshold`` (a fraction, e.g. 0.1 for 10 %);
    - ``auc``: area under the cumulative error curve from 0 to
      ``failure_threshold``, divided by ``failure_threshold`` (in
      ``[0, 1]``), sampled every ``auc_step`` and integrated with the
      trapezoidal rule, see :func:`area_under_ced`.

    The eye indices are taken, in this order of precedence, from the
    ``eye_corners`` / ``eye_indices`` arguments when given (not None), from
    ``self.dataset_meta`` (the dataset's metainfo, set by the runner), and
    finally from the 68-point defaults ``(36, 45)`` and
    ``([36..41], [42..47])``. An argument that differs from the dataset's
    value is used, with a warning.

    Args:
        normalize (str): ``'inter_ocular'``, ``'inter_pupil'``, ``'box'``
            or ``'face_box'``. Defaults to ``'inter_ocular'``.
        eye_corners (tuple[int, int], optional): Indices of the two outer eye
            corners. Defaults to None (see above).
        eye_indices (tuple[list[int], list[int]], optional): Indices of the
            points of each eye. Defaults to None (see above).
        failure_threshold (float): NME (fraction) above which an image counts
            as a failure; also the end of the AUC. Defaults to 0.1.
        auc_step (float): Sampling step of the CED. Defaults to 1e-4.
        collect_device (str): Device used to gather results across ranks,
            ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix added to the result keys. Defaults to
            None (plain keys).
        collect_dir (str, optional): Directory for gathering results with
            ``collect_device='cpu'``. Defaults to None.

    Example:
        >>> val_evaluator = dict(type='NMEMetric', normalize='inter_ocular')
        >>> default_hooks = dict(
        ...     checkpoint=dict(type='CheckpointHook', save_best='nme',
        ...                     rule='less'))
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 normalize: str = 'inter_ocular',
                 eye_corners: Optional[Tuple[int, int]] = None,
                 eye_indices: Optional[Tuple[Sequence[int],
                                             Sequence[int]]] = None,
                 failure_threshold: float = 0.1,
                 auc_step: float = 1e-4,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 collect_dir: Optional[str] = None) -> None:
        # BaseMetric warns when no prefix is set; plain keys are intended.
        super().__init__(
            collect_device=collect_device,
            prefix=prefix or 'landmark',
            collect_dir=collect_dir)
        self.prefix = prefix
        if normalize not in NORMALIZATIONS:
            raise ValueError(f'normalize must be one of {NORMALIZATIONS}, '
                             f'got {normalize!r}')
        if not failure_threshold > 0:
            raise ValueError('failure_threshold must be positive, got '
                             f'{failure_threshold}')
        if not 0 < auc_step <= failure_threshold:
            raise ValueError('auc_step must be in (0, failure_threshold], '
                             f'got {auc_step}')
        self.normalize = normalize
        self.eye_corners = None if eye_corners is None else self._pair(
            eye_corners, 'eye_corners')
        self.eye_indices = None if eye_indices is None else self._groups(
            eye_indices, 'eye_indices')
        self.failure_threshold = float(failure_threshold)
        self.auc_step = float(auc_step)
        self._warned = False

    @staticmethod
    def _pair(value, name: str) -> Tuple[int, int]:
        value = tuple(int(i) for i in value)
        if len(value) != 2:
            raise ValueError(f'{name} must hold two indices, got {value}')
        return value

    @staticmethod
    def _groups(value, name: str) -> Tuple[Tuple[int, ...], ...]:
        value = tuple(tuple(int(i) for i in group) for group in value)
        if len(value) != 2 or not all(value):
            raise ValueError(
                f'{name} must hold two non-empty index lists, got {value}')
        return value

    def _resolve(self, name: str):
        """The eye indices to use, by the documented precedence."""
        convert = self._pair if name == 'eye_corners' else self._groups
        meta = (self.dataset_meta or {}).get(name)
        meta = None if meta is None else convert(meta, f'dataset {name}')
        given = getattr(self, name)
        if given is not None:
            if meta is not None and meta != given and not self._warned:
                self._warned = True
                print_log(
                    f'NMEMetric: {name}={given} given, the dataset has '
                    f'{meta}; using {given}.',
                    logger='current',
                    level=logging.WARNING)
            return given
        if meta is not None:
            return meta
        return EYE_CORNERS_68 if name == 'eye_corners' else EYE_INDICES_68

    def normalizer(self, gt: np.ndarray,
                   face_box: Optional[np.ndarray] = None) -> float:
        """The normaliser ``d`` of one image's ground truth ``(K, 2)`` (and
        its annotated ``face_box`` as two corners ``(2, 2)``, for
        ``normalize='face_box'``)."""
        if self.normalize in ('box', 'face_box'):
            corners = face_box if self.normalize == 'face_box' else \
                np.stack([gt.min(0), gt.max(0)])
            w, h = corners[1] - corners[0]
            return float(np.sqrt(w * h)) if w > 0 and h > 0 else 0.0
        if self.normalize == 'inter_ocular':
            a, b = self._resolve('eye_corners')
            return float(np.linalg.norm(gt[a] - gt[b]))
        left, right = self._resolve('eye_indices')
        return float(
            np.linalg.norm(gt[list(left)].mean(0) - gt[list(right)].mean(0)))

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Store the NME of every sample.

        Args:
            data_batch: A batch of data from the dataloader (unused).
            data_samples (Sequence[dict | DataSample]): Model outputs, as
                dicts (what :class:`mmengine.evaluator.Evaluator` passes) or
                as data samples.
        """
        for data_sample in data_samples:
            if isinstance(data_sample, BaseDataElement):
                data_sample = data_sample.to_dict()
            img_path = data_sample.get('img_path')
            for key in ('pred_landmarks', 'face_landmarks'):
                if data_sample.get(key) is None:
                    raise KeyError(f'NMEMetric needs `{key}` in every data '
                                   f'sample; {img_path} has none.')
            pred = _to_points(data_sample['pred_landmarks'])
            gt = _to_points(data_sample['face_landmarks'])
            face_box = None
            if self.normalize == 'face_box':
                face_box = data_sample.get('face_box')
                if face_box is None:
                    raise KeyError(
                        "NMEMetric(normalize='face_box') needs `face_box` in "
                        f'every data sample; {img_path} has none (pack it: '
                        "PackInputs(algorithm_keys=['face_landmarks', "
                        "'face_box'])).")
                face_box = _to_points(face_box)  # (x1, y1), (x2, y2)
                if face_box.shape != (2, 2):
                    raise ValueError(
                        f'{img_path}: face_box must hold x1, y1, x2, y2, got '
                        f'{face_box.size} values.')
            if pred.shape != gt.shape:
                raise ValueError(
                    f'{img_path}: pred_landmarks has shape {pred.shape} but '
                    f'face_landmarks has {gt.shape}.')
            try:
                norm = self.normalizer(gt, face_box)
            except IndexError as err:
                raise IndexError(
                    f'NMEMetric: the eye indices do not fit the '
                    f'{gt.shape[0]} landmarks of {img_path}: {err}') from err
            if not (np.isfinite(norm) and norm > 0):
                raise ValueError(
                    f'NMEMetric: the {self.normalize} normaliser of '
                    f'{img_path} is {norm}; its ground truth ('
                    + ('face_box' if self.normalize == 'face_box' else
                       'landmarks') + ') is degenerate.')
            error = np.linalg.norm(pred - gt, axis=1).mean()
            self.results.append(dict(nme=float(error / norm)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute ``nme``, ``failure_rate`` and ``auc``.

        Args:
            results (list[dict]): Items stored by :meth:`process`.

        Returns:
            dict[str, float]: Metric name to value.
        """
        if len(results) == 0:
            raise ValueError('NMEMetric got no samples to evaluate.')
        nmes = np.array([r['nme'] for r in results], dtype=np.float64)
        return dict(
            nme=float(100.0 * nmes.mean()),
            failure_rate=float(100.0 *
                               np.mean(nmes > self.failure_threshold)),
            auc=area_under_ced(nmes, self.failure_threshold, self.auc_step))
