"""Unlabeled face images for self-supervised stages and pseudo-labeling."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import (IMAGE_EXTENSIONS, AnnotationError, InvalidRows,
                          missing_image, read_landmarks)


@DATASETS.register_module()
class UnlabeledFaceDataset(BaseDataset):
    """Images without labels, from a list file or a folder tree.

    - With ``ann_file``: one image path per line (relative to
      ``data_root / data_prefix``); anything after the first white space is
      ignored, so a score list also works. Blank lines and ``#`` comments
      are skipped. Missing images raise an :class:`AnnotationError` naming
      file and line, or are skipped with one counted warning when
      ``skip_invalid=True``.
    - Without ``ann_file``: every image under ``data_root / data_prefix``
      (recursively, sorted, by extension).

    Samples carry ``img_path``, and ``face_landmarks`` (68 x 2) when a
    ``landmark_file`` lists the image (the face transforms then use them
    instead of running a predictor).

    Args:
        data_root (str): Dataset root. Defaults to ''.
        ann_file (str): Optional list file. Defaults to '' (scan folder).
        data_prefix (str | dict): Image folder relative to ``data_root``.
            Defaults to ''.
        extensions (Sequence[str]): Image extensions when scanning.
        skip_invalid (bool): Skip missing images with a warning.
            Defaults to False.
        landmark_file (str, optional): A landmark list (``<image> x0 y0
            ... x67 y67``, paths relative to the image folder, e.g. the
            demo faces' ``landmarks.txt``), relative to ``data_root``.
            Defaults to None.
        **kwargs: Other :class:`mmengine.dataset.BaseDataset` arguments.

    Example:
        >>> dataset = dict(type='UnlabeledFaceDataset',
        ...                data_root='data/demo_faces',
        ...                ann_file='unlabeled.txt')
    """

    def __init__(self,
                 data_root: str = '',
                 ann_file: str = '',
                 data_prefix: Union[str, dict] = '',
                 extensions: Sequence[str] = IMAGE_EXTENSIONS,
                 skip_invalid: bool = False,
                 landmark_file: Optional[str] = None,
                 **kwargs) -> None:
        self.landmark_file = landmark_file
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        self.extensions = tuple(e.lower() for e in extensions)
        self.skip_invalid = skip_invalid
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    def _image_root(self) -> str:
        return self.data_prefix.get('img_path', '') or self.data_root

    def _scan_folder(self) -> List[str]:
        root = self._image_root()
        if not osp.isdir(root):
            raise FileNotFoundError(f'Image folder {root} does not exist.')
        found = []
        for folder, _, files in os.walk(root, followlinks=True):
            for name in files:
                if name.lower().endswith(self.extensions):
                    found.append(osp.join(folder, name))
        return sorted(found)

    def _read_list(self) -> List[str]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'Annotation file {self.ann_file} does not exist.')
        root = self._image_root()
        paths = []
        skipped = InvalidRows(self.skip_invalid, noun='missing image(s)')
        with open(self.ann_file, encoding='utf-8') as f:
            for lineno, line in enumerate(f, start=1):
                line = line.strip()
                if not line or line.startswith('#'):
                    continue
                path = osp.join(root, line.split()[0])
                reason = missing_image(path)
                if reason is not None:
                    skipped.add(self.ann_file, lineno, reason)
                    continue
                paths.append(path)
        skipped.warn(self.ann_file)
        return paths

    def load_data_list(self) -> List[dict]:
        """List the images once.

        Returns:
            list[dict]: ``dict(img_path=...)`` per image (with
            ``face_landmarks`` where the landmark file has them).
        """
        paths = self._read_list() if self.ann_file else self._scan_folder()
        if not paths:
            where = self.ann_file or self._image_root()
            raise AnnotationError(f'{where}: no images found.')
        samples = [dict(img_path=p) for p in paths]
        if self.landmark_file:
            path = self.landmark_file
            if not osp.isabs(path):
                path = osp.join(self.data_root, path)
            points = read_landmarks(path, self._image_root())
            for sample in samples:
                if sample['img_path'] in points:
                    sample['face_landmarks'] = points[sample['img_path']]
        return samples

    def get_image_paths(self, indices: Optional[Sequence[int]] = None
                        ) -> List[str]:
        """Image paths of all (or the given) samples."""
        indices = range(len(self)) if indices is None else indices
        return [self.get_data_info(i)['img_path'] for i in indices]
