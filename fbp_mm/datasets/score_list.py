"""Datasets of images with real-valued scores read from a list file."""
import csv
import math
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.dataset import BaseDataset
from mmpretrain.registry import DATASETS

from .annotations import (IMAGE_EXTENSIONS, AnnotationError, InvalidRows,
                          missing_image)

__all__ = ['AnnotationError', 'ScoreListDataset']

#: Accepted names of the image column of a CSV list, in order of preference.
IMAGE_COLUMN_CANDIDATES = ('image', 'image_name', 'filename', 'file', 'path',
                           'img', 'name')
#: Score column(s) of a CSV list unless ``score_columns`` says otherwise.
DEFAULT_SCORE_COLUMNS = ('score', )


def _looks_like_data(cell: str) -> bool:
    """Whether a header cell is rather a value: a number or an image."""
    cell = cell.strip()
    if cell.lower().endswith(IMAGE_EXTENSIONS):
        return True
    try:
        float(cell)
    except ValueError:
        return False
    return True


@DATASETS.register_module()
class ScoreListDataset(BaseDataset):
    """Images with one or more real-valued scores, listed in a txt or CSV.

    Two list formats are read (chosen by the file extension, or by
    ``ann_format``):

    - **txt**: one image per line, ``relative/path score [score ...]``,
      separated by white space. Blank lines and lines starting with ``#``
      are ignored. This is the format of SCUT-FBP5500's split files.
    - **csv**: a header row, then one image per row. The header must name
      the image column (the first of ``image_column``'s names that it
      holds; by default ``image``, ``image_name``, ``filename``, ``file``,
      ``path``, ``img``, ``name``) and every score column
      (``score_columns``, by default ``score``). A list without a header
      (its first row holds a number or an image path) or without the
      score column is an error: no row is ever taken for a header, and no
      other column for the scores. The VQualA FIQA challenge CSV
      (``image_name,score``) and the lists of ``tools/pseudo_label.py``
      (``image,score,raw_score,model,round``) read as is.

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
        image_column (str | Sequence[str], optional): Accepted name(s) of
            the CSV column of image paths; the first one the header holds
            is used. Defaults to :data:`IMAGE_COLUMN_CANDIDATES`.
        score_columns (str | Sequence[str], optional): CSV column(s) of
            scores, all required, in the order of the score vector.
            Defaults to ``'score'``.
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
                 image_column: Optional[Union[str, Sequence[str]]] = None,
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
        if image_column is None:
            image_column = IMAGE_COLUMN_CANDIDATES
        if isinstance(image_column, str):
            image_column = [image_column]
        if score_columns is None:
            score_columns = DEFAULT_SCORE_COLUMNS
        if isinstance(score_columns, str):
            score_columns = [score_columns]
        if not image_column or not score_columns:
            raise ValueError('image_column and score_columns must name at '
                             'least one column each.')
        if score_range is not None and not score_range[0] <= score_range[1]:
            raise ValueError(f'score_range must be (low, high), got '
                             f'{score_range}')
        self.ann_format = ann_format
        self.image_column = [str(c) for c in image_column]
        self.score_columns = [str(c) for c in score_columns]
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

    def _csv_columns(self, header: List[str],
                     ann_file: str) -> Tuple[int, List[int]]:
        """Indices of the image and score columns named by the header."""
        expected = (f'expected a header naming the image column (one of '
                    f'{", ".join(self.image_column)}) and the score '
                    f'column(s) ({", ".join(self.score_columns)}), e.g. '
                    f'"{self.image_column[0]},{self.score_columns[0]}"')
        if any(_looks_like_data(cell) for cell in header):
            raise AnnotationError(
                f'{ann_file}:1: the CSV list has no header: its first row '
                f'{",".join(header)!r} looks like data; {expected}. Add '
                'that header row (set image_column / score_columns to '
                'accept other column names).')
        image_col = next((c for c in self.image_column if c in header), None)
        if image_col is None:
            raise AnnotationError(
                f'{ann_file}:1: no image column in the header {header}; '
                f'expected one of {self.image_column} (set image_column to '
                'the name of the column that holds the image paths).')
        missing = [c for c in self.score_columns if c not in header]
        if missing:
            raise AnnotationError(
                f'{ann_file}:1: no score column {missing} in the header '
                f'{header}; expected {self.score_columns} (set '
                'score_columns to the name(s) of the column(s) that hold '
                'the scores).')
        return (header.index(image_col),
                [header.index(c) for c in self.score_columns])

    def _read_csv(self, f, ann_file: str) -> List[Tuple[int, str, List[str]]]:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or not any(c.strip() for c in header):
            raise AnnotationError(f'{ann_file}:1: no header row, expected one '
                                  'such as "image,score".')
        header = [h.strip() for h in header]
        img_idx, score_idx = self._csv_columns(header, ann_file)
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
        problems = InvalidRows(self.skip_invalid)
        expected = self.num_scores
        for list_index, ann_file in enumerate(self.ann_files):
            for lineno, path, score_strs in self._read_rows(ann_file):
                result = self._check_row(path, score_strs, expected)
                img_path = osp.join(img_root, path) if path else ''
                if not isinstance(result, str):
                    if path in seen:
                        result = (f'duplicate entry "{path}" (first listed '
                                  f'on {seen[path]})')
                    elif self.check_files:
                        result = missing_image(img_path) or result
                if isinstance(result, str):
                    problems.add(ann_file, lineno, result)
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
        problems.warn(', '.join(self.ann_files))
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
