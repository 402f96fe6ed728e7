"""Datasets of images with real-valued scores read from a list file."""
import csv
import logging
import math
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

IMAGE_COLUMN_CANDIDATES = ('image', 'image_name', 'filename', 'file', 'path',
                           'img', 'name')


class AnnotationError(ValueError):
    """A bad row of an annotation file; the message starts with
    ``file:line:``."""


@DATASETS.register_module()
class ScoreListDataset(BaseDataset):
    """Images with one or more real-valued scores, listed in a txt or CSV.

    Two list formats are read (chosen by the file extension, or by
    ``ann_format``):

    - **txt**: one image per line, ``relative/path score [score ...]``,
      separated by white space. Blank lines and lines starting with ``#``
      are ignored. This is the format of SCUT-FBP5500's split files.
    - **csv**: a header row, then one image per row. ``image_column`` names
      the path column (by default the first of ``image``, ``image_name``,
      ``filename``, ``file``, ``path``, ``img``, ``name`` that exists) and
      ``score_columns`` the score columns (by default ``score``, or else
      the second column). The VQualA FIQA challenge CSV
      (``image_name,score``) reads as is.

    Image paths are relative to ``data_root / data_prefix``. Each sample
    carries ``img_path`` and ``gt_score`` (a list of floats; ``PackInputs``
    turns it into the 1-D float tensor that regression heads read).

    Bad rows (missing image, unparsable or non-finite score, score outside
    ``score_range``, wrong number of scores, duplicate image) raise an
    :class:`AnnotationError` whose message starts with ``file:line:``.
    With ``skip_invalid=True`` they are dropped instead and one warning
    tells how many were dropped and why. An empty list is always an error.
    An image that fails to load or transform later (for example a corrupt
    file met during training) raises an error naming its path.

    Args:
        ann_file (str | list[str]): The list file, relative to
            ``data_root`` unless absolute. A list of files is read as one
            dataset (e.g. labeled + pseudo-labeled lists, all relative to
            the same image folder); each sample records its file index in
            ``list_index``. An image listed twice, in one file or across
            files, is a duplicate.
        data_root (str): Root of the dataset. Defaults to ''.
        data_prefix (str | dict): Folder of the images relative to
            ``data_root``; a str or ``dict(img_path=...)``. Defaults to ''.
        ann_format (str): ``'auto'`` (by extension: ``.csv`` is CSV,
            anything else txt), ``'txt'`` or ``'csv'``. Defaults to
            ``'auto'``.
        image_column (str, optional): CSV column of image paths.
        score_columns (str | Sequence[str], optional): CSV column(s) of
            scores.
        num_scores (int, optional): Expected scores per row; rows with
            another count are invalid. Defaults to the count of the first
            valid row.
        score_range (tuple[float, float], optional): Inclusive valid range
            of every score. Defaults to None (any finite value).
        skip_invalid (bool): Skip bad rows with a counted warning instead
            of raising. Defaults to False.
        check_files (bool): Check that every listed image exists while
            loading the list. Turn off for remote storage. Defaults to True.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ``lazy_init``, ...).

    Example:
        >>> train_dataloader = dict(dataset=dict(
        ...     type='ScoreListDataset',
        ...     data_root='data/my_faces',
        ...     ann_file='train.csv',
        ...     data_prefix='images',
        ...     score_columns=['score'],
        ...     score_range=(1, 5),
        ...     pipeline=[dict(type='LoadImageFromFile'),
        ...               dict(type='Resize', scale=224),
        ...               dict(type='PackInputs')]))
    """

    def __init__(self,
                 ann_file: Union[str, Sequence[str]],
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 ann_format: str = 'auto',
                 image_column: Optional[str] = None,
                 score_columns: Optional[Union[str, Sequence[str]]] = None,
                 num_scores: Optional[int] = None,
                 score_range: Optional[Tuple[float, float]] = None,
                 skip_invalid: bool = False,
                 check_files: bool = True,
                 **kwargs) -> None:
        if ann_format not in ('auto', 'txt', 'csv'):
            raise ValueError(
                "ann_format must be 'auto', 'txt' or 'csv', "
                f'got {ann_format!r}')
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        if isinstance(score_columns, str):
            score_columns = [score_columns]
        if score_range is not None and not score_range[0] <= score_range[1]:
            raise ValueError(f'score_range must be (low, high), got '
                             f'{score_range}')
        self.ann_format = ann_format
        self.image_column = image_column
        self.score_columns = score_columns
        self.num_scores = num_scores
        self.score_range = score_range
        self.skip_invalid = skip_invalid
        self.check_files = check_files
        if isinstance(ann_file, (list, tuple)):
            if not ann_file:
                raise ValueError('ann_file is an empty list.')
            self._ann_files = [str(f) for f in ann_file]
            ann_file = self._ann_files[0]
        else:
            self._ann_files = [ann_file]
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=data_prefix,
            **kwargs)

    # ----------------------------------------------------------- reading
    @property
    def ann_files(self) -> List[str]:
        """All list files, joined with ``data_root`` like ``ann_file``."""
        return [
            f if osp.isabs(f) or not self.data_root else osp.join(
                self.data_root, f) for f in self._ann_files
        ]

    def _read_rows(self, ann_file: str) -> List[Tuple[int, str, List[str]]]:
        """Return ``(line number, image path, score strings)`` per row."""
        fmt = self.ann_format
        if fmt == 'auto':
            fmt = 'csv' if ann_file.lower().endswith('.csv') else 'txt'
        if not osp.isfile(ann_file):
            raise FileNotFoundError(
                f'Annotation file {ann_file} does not exist.')
        with open(ann_file, newline='', encoding='utf-8') as f:
            if fmt == 'txt':
                return self._read_txt(f)
            return self._read_csv(f, ann_file)

    def _read_txt(self, f) -> List[Tuple[int, str, List[str]]]:
        rows = []
        for lineno, line in enumerate(f, start=1):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            tokens = line.split()
            rows.append((lineno, tokens[0], tokens[1:]))
        return rows

    def _read_csv(self, f, ann_file: str) -> List[Tuple[int, str, List[str]]]:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None:
            raise AnnotationError(f'{ann_file}:1: empty CSV, expected a '
                                  'header row such as "image,score".')
        header = [h.strip() for h in header]
        image_col = self.image_column
        if image_col is None:
            image_col = next(
                (c for c in IMAGE_COLUMN_CANDIDATES if c in header), header[0])
        score_cols = self.score_columns
        if score_cols is None:
            if 'score' in header:
                score_cols = ['score']
            elif len(header) > 1:
                score_cols = [header[1]]
            else:
                score_cols = []
        missing = [c for c in [image_col, *score_cols] if c not in header]
        if missing or not score_cols:
            raise AnnotationError(
                f'{ann_file}:1: column(s) {missing or "for scores"} not '
                f'found in the header {header}; set `image_column` / '
                '`score_columns`.')
        img_idx = header.index(image_col)
        score_idx = [header.index(c) for c in score_cols]
        rows = []
        for row in reader:
            lineno = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) < len(header):
                rows.append((lineno, row[0].strip() if row else '', None))
                continue
            rows.append((lineno, row[img_idx].strip(),
                         [row[i].strip() for i in score_idx]))
        return rows

    # ----------------------------------------------------------- checking
    def _check_row(self, path: str, score_strs: Optional[List[str]],
                   expected: Optional[int]) -> Union[str, List[float]]:
        """Return the parsed scores, or a str saying why the row is bad."""
        if not path:
            return 'no image path'
        if score_strs is None:
            return 'too few columns'
        if not score_strs:
            return f'no score after "{path}"'
        scores = []
        for text in score_strs:
            try:
                value = float(text)
            except ValueError:
                return f'score "{text}" is not a number'
            if not math.isfinite(value):
                return f'score "{text}" is not finite'
            if self.score_range is not None and not (
                    self.score_range[0] <= value <= self.score_range[1]):
                return (f'score {value:g} is outside the range '
                        f'[{self.score_range[0]:g}, {self.score_range[1]:g}]')
            scores.append(value)
        if expected is not None and len(scores) != expected:
            return f'{len(scores)} score(s) where {expected} are expected'
        return scores

    def load_data_list(self) -> List[dict]:
        """Read the list(s) once, validating every row.

        Returns:
            list[dict]: ``dict(img_path=..., gt_score=[...], list_index=i)``
            per image.
        """
        img_root = self.data_prefix.get('img_path', '') or self.data_root
        data_list = []
        seen: Dict[str, str] = {}
        problems: List[str] = []
        expected = self.num_scores
        for list_index, ann_file in enumerate(self.ann_files):
            for lineno, path, score_strs in self._read_rows(ann_file):
                result = self._check_row(path, score_strs, expected)
                img_path = osp.join(img_root, path) if path else ''
                if not isinstance(result, str):
                    if path in seen:
                        result = (f'duplicate entry "{path}" (first listed '
                                  f'on {seen[path]})')
                    elif self.check_files and not osp.isfile(img_path):
                        result = f'image "{img_path}" does not exist'
                if isinstance(result, str):
                    message = f'{ann_file}:{lineno}: {result}'
                    if not self.skip_invalid:
                        raise AnnotationError(
                            message +
                            ' (set skip_invalid=True to skip such rows)')
                    problems.append(message)
                    continue
                if expected is None:
                    expected = len(result)
                seen[path] = (f'line {lineno}' if ann_file == self.ann_file
                              else f'{ann_file}:{lineno}')
                data_list.append(
                    dict(
                        img_path=img_path,
                        gt_score=result,
                        list_index=list_index))
        files = ', '.join(self.ann_files)
        if problems:
            print_log(
                f'Skipped {len(problems)} invalid row(s) of {files}; '
                f'first: {problems[0]}',
                logger='current',
                level=logging.WARNING)
        if not data_list:
            reason = f' ({len(problems)} invalid)' if problems else ''
            raise AnnotationError(
                f'{self.ann_files[0]}:1: no valid sample in the '
                f'list{reason}.')
        return data_list

    # ----------------------------------------------------------- access
    def get_gt_scores(self) -> List[List[float]]:
        """Ground-truth scores of all samples, in dataset order."""
        return [self.get_data_info(i)['gt_score'] for i in range(len(self))]

    def prepare_data(self, idx: int):
        """Run the pipeline on sample ``idx``; errors name the image."""
        try:
            return super().prepare_data(idx)
        except Exception as err:
            img_path = self.get_data_info(idx).get('img_path', '?')
            raise RuntimeError(
                f'Failed to load or transform image "{img_path}" (sample '
                f'{idx} of {self.ann_file}): {type(err).__name__}: {err}'
            ) from err
