# Copyright (c) fbp_mm contributors. All rights reserved.
"""Score faces with a trained model: :class:`FaceScoreInferencer`.

A subclass of MMPretrain's ``BaseInferencer``: built from a config and a
checkpoint (or a model-zoo name), it takes image paths, BGR arrays or
folders, finds the faces in each photo, crops them the way the training
faces were prepared, and returns one score per face with its box.
"""
import copy
import os
import os.path as osp
import sys
from typing import (Callable, Dict, Iterator, List, Optional, Sequence, Tuple,
                    Union)

import mmcv
import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.model import BaseModel
from mmengine.utils import ProgressBar
from mmpretrain.apis import BaseInferencer
from mmpretrain.structures import DataSample
from torch.utils.data import DataLoader, Dataset

from ..datasets.annotations import IMAGE_EXTENSIONS
from ..faces import build_face_detector
from ..utils.config_paths import resolve_package_config
from .inference import build_model_from_config, get_test_pipeline

__all__ = [
    'FaceScoreInferencer', 'DEFAULT_FACE_PREPARATION', 'list_folder',
    'is_image_name'
]

#: How faces are found and cropped when the config records nothing
#: (``face_preparation`` in the config): dlib's HOG detector (as
#: ``tools/curate_faces.py``; SVM margins under 0.3 dropped: weak
#: detections in photos are mostly not faces) and a square 1.25 times
#: the box.
DEFAULT_FACE_PREPARATION = dict(
    detector=dict(type='DlibHogFace', min_size=40, min_score=0.3),
    crop=dict(type='CropFaceBox', size=256, scale=1.25))

_LOADERS = ('LoadImageFromFile', 'mmpretrain.LoadImageFromFile',
            'mmcv.LoadImageFromFile')


def without_loader(pipeline: Sequence[dict]) -> List[dict]:
    """A copy of the transform configs without the image loading step
    (the inferencer reads the image itself)."""
    return [
        copy.deepcopy(dict(t)) for t in pipeline
        if t.get('type') not in _LOADERS
    ]


def sample_scores(sample: DataSample) -> torch.Tensor:
    """A prediction's scores as a flat float32 CPU tensor."""
    return sample.pred_score.detach().reshape(-1).float().cpu()


def list_folder(folder: str) -> List[str]:
    """Every file under ``folder`` (recursively, sorted, hidden ones
    left out), images or not: the caller reports what it skips."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        found.extend(
            osp.join(root, f) for f in sorted(files) if not f.startswith('.'))
    return found


def is_image_name(path: str) -> bool:
    """Whether the file name has an image extension."""
    return path.lower().endswith(IMAGE_EXTENSIONS)


def _model_from(model, pretrained, device, cfg_options) -> BaseModel:
    """Build (or take) the model; attach its config as ``_config``."""
    if isinstance(model, BaseModel):
        cfg = getattr(model, '_config', None) or getattr(model, 'cfg', None)
        if cfg is None:
            raise ValueError(
                'A model object needs its config (as `model.cfg` or '
                '`model._config`) for the test pipeline; pass the config '
                'file instead.')
        if isinstance(pretrained, str):
            from mmengine.runner import load_checkpoint
            load_checkpoint(model, pretrained, map_location='cpu')
        if device is not None:
            model.to(device)
        model._config = cfg
        return model
    if isinstance(model, str) and '::' in model:
        # 'fbp_mm::fbp/mae_ms_kd.py', 'mmpretrain::resnet/...'
        model = resolve_package_config(model)
    elif isinstance(model, str) and not model.endswith('.py') \
            and not osp.exists(model):
        from mmpretrain.apis import ModelHub

        from .model_zoo import register_fbp_mm_models
        register_fbp_mm_models()
        metainfo = ModelHub.get(model)  # a model-zoo name
        model = metainfo.config
        if pretrained is True:
            pretrained = metainfo.weights
    checkpoint = pretrained if isinstance(pretrained, str) else None
    built = build_model_from_config(
        model, checkpoint, device=device or 'cpu', cfg_options=cfg_options)
    built._config = built.cfg
    return built


def _copy_with_config(model: BaseModel) -> BaseModel:
    """A deep copy of ``model`` that shares its config objects."""
    keep = {name: model.__dict__[name] for name in ('_config', 'cfg')
            if name in model.__dict__}
    memo = {id(value): value for value in keep.values()}
    return copy.deepcopy(model, memo)


class _WholeImages(Dataset):
    """The test-pipeline samples of whole images (for loader workers)."""

    def __init__(self, inferencer: 'FaceScoreInferencer',
                 paths: List[str]) -> None:
        self.inferencer = inferencer
        self.paths = paths

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> dict:
        return self.inferencer.whole_image_sample(self.paths[index])


class FaceScoreInferencer(BaseInferencer):
    """Score every face of each photo (beauty, quality, any score head).

    Each input is read (a path with MMCV, or a BGR ``uint8`` array as it
    is), the faces are found with the detector of ``face_preparation`` and
    each face is cut out with its ``crop`` transform (for example
    :class:`~fbp_mm.datasets.CropFaceBox` around the box); the crop then
    goes through the config's own test pipeline (without its loading
    step) and the model's ``test_step``, in batches of faces. With
    ``detect=False`` the whole image is one face (for images that are
    face crops already, as the training data).

    ``face_preparation`` comes from the argument, else from the config's
    top-level ``face_preparation`` (so the config records how its training
    faces were prepared), else :data:`DEFAULT_FACE_PREPARATION`.

    Args:
        model (str | Config | BaseModel): A config file, a config of an
            installed package (``'fbp_mm::fbp/mae_ms_kd.py'``), a loaded
            config, a model-zoo name (fbp_mm's or MMPretrain's, see
            :func:`fbp_mm.apis.list_fbp_mm_models`) or a built model that
            has its config as ``cfg``.
        pretrained (str | bool): Checkpoint to load; True takes the
            model-zoo weights of a name. Defaults to None (the config's
            initial weights, for tests).
        device (str, optional): Device of the model. Defaults to CPU.
        detect (bool): Find the faces in each image. Defaults to True.
        face_preparation (dict, optional): ``detector`` (a face detector
            config, see :func:`fbp_mm.faces.build_face_detector`) and
            ``crop`` (a transform config, or a list of them, applied to
            ``dict(img, face_box)``: ``CropFaceBox`` for a square around
            the box, or ``[dict(type='FaceLandmarks'),
            dict(type='AlignFace', size=256, margin=0.3)]`` for faces
            aligned by their landmarks). Defaults to the config's, as
            above.
        cfg_options (dict, optional): Overrides merged into the config.
        fuse (bool): Rewrite the network for inference first
            (:func:`fbp_mm.models.utils.fuse_for_inference`: ConvNeXt and
            EdgeNeXt layer scales folded into their layers, EdgeNeXt's
            position encodings computed once per input size, ResNet batch
            norms folded into their convolutions); the scores change by
            float rounding only. A model object passed in is
            copied first, so it stays trainable. What was rewritten is
            in :attr:`fusions`. Defaults to False.

    Example:
        >>> inferencer = FaceScoreInferencer(
        ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
        ...     'work_dirs/demo/best.pth')  # doctest: +SKIP
        >>> result = inferencer('photo.jpg')[0]  # doctest: +SKIP
        >>> [(f['box'], f['score']) for f in result['faces']]  # doctest: +SKIP
    """

    preprocess_kwargs: set = {'progress'}
    forward_kwargs: set = set()
    visualize_kwargs: set = {'show_dir'}
    postprocess_kwargs: set = set()

    def __init__(self,
                 model: Union[str, Config, BaseModel],
                 pretrained: Union[str, bool, None] = None,
                 device: Optional[str] = None,
                 detect: bool = True,
                 face_preparation: Optional[dict] = None,
                 cfg_options: Optional[dict] = None,
                 fuse: bool = False) -> None:
        if fuse and isinstance(model, BaseModel):
            model = _copy_with_config(model)
        built = _model_from(model, pretrained, device, cfg_options)
        super().__init__(built, pretrained=False)
        #: What ``fuse=True`` rewrote (counts of
        #: :func:`~fbp_mm.models.utils.fuse_for_inference`); None without.
        self.fusions: Optional[Dict[str, int]] = None
        if fuse:
            from ..models.utils import fuse_for_inference
            self.model.eval()
            self.fusions = fuse_for_inference(self.model)
        self.detect = bool(detect)
        prep = face_preparation or self.config.get('face_preparation') \
            or DEFAULT_FACE_PREPARATION
        self.face_preparation = copy.deepcopy(dict(prep))
        self._detector = None
        crop = self.face_preparation.get('crop')
        if isinstance(crop, dict):
            crop = [crop]
        self._crop = Compose([copy.deepcopy(dict(t)) for t in crop]) \
            if crop else None

    @property
    def detector(self):
        """The face detector, built on first use."""
        if self._detector is None:
            self._detector = build_face_detector(
                copy.deepcopy(self.face_preparation['detector']))
        return self._detector

    def _init_pipeline(self, cfg: Config) -> Callable:
        return Compose(without_loader(get_test_pipeline(cfg)))

    def _inputs_to_list(self, inputs) -> list:
        """Paths, arrays, or folders (their images, sorted, recursively);
        a folder's other files are inputs too, reported as skipped."""
        if isinstance(inputs, (str, np.ndarray)) or hasattr(
                inputs, '__fspath__'):
            inputs = [inputs]
        listed = []
        for item in inputs:
            if not isinstance(item, np.ndarray) and osp.isdir(str(item)):
                listed.extend(list_folder(str(item)))
            else:
                listed.append(item if isinstance(item, np.ndarray) else
                              str(item))
        return listed

    @staticmethod
    def read_image(item) -> np.ndarray:
        """A BGR ``uint8`` image from a path or an array.

        Raises:
            ValueError: When the file cannot be decoded as an image.
        """
        if isinstance(item, np.ndarray):
            img = item
        else:
            try:
                img = mmcv.imread(item)
            except Exception:  # mmcv raises for missing / odd files
                img = None
            if img is None:
                raise ValueError(f'{item} is not an image that OpenCV can '
                                 'read')
        if img.dtype != np.uint8:
            raise ValueError(f'Images are uint8 arrays, got {img.dtype}.')
        if img.ndim == 2:
            img = np.stack([img] * 3, axis=-1)
        return img

    def face_boxes(self, img: np.ndarray) -> List[tuple]:
        """``(box, detection_score)`` of the faces in ``img``, best first;
        the whole image when detection is off."""
        if not self.detect:
            h, w = img.shape[:2]
            return [((0.0, 0.0, float(w), float(h)), None)]
        return [(tuple(float(v) for v in f.box), float(f.score))
                for f in self.detector.detect(img)]

    @torch.no_grad()
    def score_samples(self, samples: List[dict]) -> List[float]:
        """The first score of each :meth:`pipeline_sample` output."""
        outputs = self.model.test_step(pseudo_collate(samples))
        return [float(sample_scores(o)[0]) for o in outputs]

    def pipeline_sample(self, img: np.ndarray,
                        box: Optional[tuple]) -> dict:
        """The model input of one face: ``box`` cut out of the BGR
        ``img`` (the whole image for None or without detection), through
        the test pipeline."""
        if box is not None and self.detect and self._crop is not None:
            # CropFaceBox's box edges are pixel centres: x2 is exclusive.
            x1, y1, x2, y2 = box
            crop = self._crop(
                dict(img=img, face_found=True, face_box=np.array(
                    [x1, y1, x2 - 1, y2 - 1], np.float32)))['img']
        else:
            crop = img
        h, w = crop.shape[:2]
        return self.pipeline(
            dict(img=crop, img_shape=(h, w), ori_shape=(h, w)))

    def preprocess(self, inputs: list, batch_size: int = 1,
                   progress: bool = False) -> Iterator[dict]:
        """Batches of faces; each sample knows its image and box.

        Args:
            inputs (list): As returned by :meth:`_inputs_to_list`.
            batch_size (int): Faces per batch. Defaults to 1.
            progress (bool): Show MMEngine's progress bar over the images.
                Defaults to False.

        Yields:
            dict: ``pseudo_collate``'d samples, with ``face_info`` (a list
            of ``(input index, box, detection score)``).
        """
        self.image_status: Dict[int, str] = {}
        chunk = []
        bar = ProgressBar(len(inputs), file=sys.stdout) \
            if progress and inputs else None
        for index, item in enumerate(inputs):
            if bar is not None:
                bar.update()
            if isinstance(item, str) and osp.isfile(item) \
                    and not is_image_name(item):
                self.image_status[index] = 'skipped: not an image file'
                continue
            try:
                img = self.read_image(item)
            except ValueError as err:
                self.image_status[index] = f'unreadable: {err}'
                continue
            boxes = self.face_boxes(img)
            self.image_status[index] = 'ok' if boxes else 'no face'
            for box, score in boxes:
                chunk.append(
                    (self.pipeline_sample(img, box), (index, box, score)))
                if len(chunk) == batch_size:
                    yield self._collate(chunk)
                    chunk = []
        if chunk:
            yield self._collate(chunk)
        if bar is not None:
            bar.file.write('\n')
            bar.file.flush()

    @staticmethod
    def _collate(chunk: list) -> dict:
        batch = pseudo_collate([sample for sample, _ in chunk])
        batch['face_info'] = [info for _, info in chunk]
        return batch

    def whole_image_sample(self, item) -> dict:
        """The test-pipeline sample of one image taken whole (no face
        detection), for :meth:`iter_scores`.

        Raises:
            RuntimeError: Naming the image that could not be read or
                transformed.
        """
        try:
            return self.pipeline_sample(self.read_image(item), None)
        except Exception as err:
            raise RuntimeError(
                f'Failed to load or transform image "{item}": '
                f'{type(err).__name__}: {err}') from err

    def iter_scores(self,
                    paths: Sequence[str],
                    batch_size: int = 32,
                    num_workers: int = 0,
                    progress: bool = True
                    ) -> Iterator[Tuple[List[str], np.ndarray]]:
        """Score whole images batch by batch, in input order (images that
        are face crops already: pseudo-labels, test lists).

        Args:
            paths (Sequence[str]): Image files.
            batch_size (int): Images per forward pass. Defaults to 32.
            num_workers (int): Loader worker processes reading and
                transforming the images. Defaults to 0.
            progress (bool): Show MMEngine's progress bar. Defaults to True.

        Yields:
            tuple[list[str], np.ndarray]: The paths of a batch and their
            scores, float32 of shape ``(batch, num_outputs)``.

        Example:
            >>> import tempfile
            >>> import mmcv
            >>> inferencer = FaceScoreInferencer(
            ...     'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
            ...     detect=False)
            >>> with tempfile.TemporaryDirectory() as tmp:
            ...     files = [f'{tmp}/{i}.jpg' for i in range(3)]
            ...     for file in files:
            ...         _ = mmcv.imwrite(np.zeros((64, 64, 3), np.uint8), file)
            ...     for paths, scores in inferencer.iter_scores(
            ...             files, batch_size=2, progress=False):
            ...         print(len(paths), scores.shape)
            2 (2, 1)
            1 (1, 1)
        """
        if batch_size < 1:
            raise ValueError(f'batch_size must be positive, got {batch_size}')
        paths = [str(p) for p in paths]
        loader = DataLoader(
            _WholeImages(self, paths),
            batch_size=batch_size,
            shuffle=False,
            num_workers=num_workers,
            collate_fn=pseudo_collate)
        bar = ProgressBar(len(paths), file=sys.stdout) \
            if progress and paths else None
        start = 0
        with torch.no_grad():
            for batch in loader:
                samples = self.model.test_step(batch)
                scores = torch.stack([sample_scores(s)
                                      for s in samples]).numpy()
                yield paths[start:start + len(samples)], scores
                start += len(samples)
                if bar is not None:
                    bar.update(len(samples))
        if bar is not None:
            bar.file.write('\n')
            bar.file.flush()

    @torch.no_grad()
    def forward(self, inputs: dict, **kwargs) -> List[DataSample]:
        """Score a batch; the face info goes onto the data samples."""
        info = inputs.pop('face_info')
        samples = self.model.test_step(inputs)
        for sample, (index, box, score) in zip(samples, info):
            sample.set_metainfo(
                dict(input_index=index, face_box=box, face_score=score))
        return samples

    def __call__(self,
                 inputs,
                 return_datasamples: bool = False,
                 batch_size: int = 32,
                 **kwargs) -> List[dict]:
        """Score the faces of ``inputs``.

        Args:
            inputs (str | np.ndarray | list): Image paths, BGR arrays,
                folders, or a list of them.
            return_datasamples (bool): Put the ``DataSample`` of each face
                in its result too (``data_sample``). Defaults to False.
            batch_size (int): Faces per forward pass. Defaults to 32.
            **kwargs: ``progress`` (bool, a progress bar over the images)
                and ``show_dir`` (str, write each image with its boxes
                and scores there, see :meth:`visualize`).

        Returns:
            list[dict]: One per image, in input order: ``img_path`` (None
            for an array), ``status`` (``'ok'``, ``'no face'``,
            ``'unreadable: ...'`` or ``'skipped: not an image file'``) and
            ``faces``, each a dict with ``box`` (x1, y1, x2, y2 in the
            image's pixels), ``detection_score`` (None without detection),
            ``pred_score`` (list) and ``score`` (the first output).
        """
        pre_kwargs, _, vis_kwargs, _ = self._dispatch_kwargs(**kwargs)
        ori_inputs = self._inputs_to_list(inputs)
        preds: List[DataSample] = []
        for batch in self.preprocess(
                ori_inputs, batch_size=batch_size, **pre_kwargs):
            preds.extend(self.forward(batch))
        visualization = self.visualize(ori_inputs, preds, **vis_kwargs)
        return self.postprocess(preds, visualization, return_datasamples,
                                ori_inputs=ori_inputs)

    def visualize(self,
                  inputs: list,
                  preds: List[DataSample],
                  show_dir: Optional[str] = None) -> Optional[List[str]]:
        """Draw each readable image with its face boxes and scores
        (MMEngine's ``Visualizer``) into ``show_dir``.

        The pictures keep the inputs' folder structure below their common
        folder, so that same-name images of different folders stay apart;
        an array input is written as ``array_<index>.png``.

        Args:
            inputs (list): The inputs, as from :meth:`_inputs_to_list`.
            preds (list[DataSample]): The face predictions.
            show_dir (str, optional): Output folder. Defaults to None
                (draw nothing).

        Returns:
            list[str] | None: The picture of each input (None for an input
            that is not an image), or None without ``show_dir``.
        """
        if not show_dir:
            return None
        from .face_drawing import draw_faces, picture_names
        faces: Dict[int, list] = {}
        for sample in preds:
            faces.setdefault(sample.input_index, []).append(
                (sample.face_box,
                 float(sample_scores(sample)[0])))
        written = []
        for index, (item, name) in enumerate(
                zip(inputs, picture_names(inputs))):
            if self.image_status.get(index, 'ok') not in ('ok', 'no face'):
                written.append(None)
                continue
            path = osp.join(show_dir, name)
            draw_faces(self.read_image(item), faces.get(index, []), path)
            written.append(path)
        return written

    def face_outputs(self, sample: DataSample) -> dict:
        """What a face's result holds besides its box: ``pred_score`` and
        ``score`` (subclasses give other outputs)."""
        scores = sample_scores(sample)
        return dict(pred_score=[float(v) for v in scores],
                    score=float(scores[0]))

    def postprocess(self,
                    preds: List[DataSample],
                    visualization,
                    return_datasamples: bool = False,
                    ori_inputs: Sequence = ()) -> List[dict]:
        """Group the face predictions by image (see :meth:`__call__`)."""
        results = [
            dict(
                img_path=None if isinstance(item, np.ndarray) else item,
                status=self.image_status.get(index, 'ok'),
                faces=[]) for index, item in enumerate(ori_inputs)
        ]
        for result, picture in zip(results, visualization or []):
            result['picture'] = picture
        for sample in preds:
            face = dict(
                box=[float(v) for v in sample.face_box],
                detection_score=sample.face_score)
            face.update(self.face_outputs(sample))
            if return_datasamples:
                face['data_sample'] = sample
            results[sample.input_index]['faces'].append(face)
        return results
