"""BP4D and DISFA action unit labels turned into :class:`AUOccurrenceList`
fold lists (``tools/dataset_converters/au_lists.py``)."""
import glob
import hashlib
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

from .annotations import AnnotationError, write_atomic
from .au_occurrence import BP4D_AUS, DISFA_AUS

__all__ = [
    'read_bp4d_occurrence', 'read_disfa_intensities', 'read_fold_file',
    'seeded_subject_folds', 'convert_au_labels', 'PUBLISHED_FOLDS'
]

#: Values of BP4D's occurrence CSVs: absent, present, not coded.
BP4D_VALUES = ('0', '1', '9')
#: Image path of a frame in the layout the configs read (``images/``).
DEFAULT_PATTERNS = dict(
    bp4d='{subject}/{task}/{frame:04d}.jpg',
    disfa='{subject}/{frame:05d}.jpg')

#: The subject-exclusive 3-fold splits most AU detection papers report on
#: (the BP4D split of DRML / JAA-Net and its DISFA counterpart): fold k is
#: written to ``fold{k}.txt``; the configs train on folds 1 + 2 and test on
#: fold 3.
PUBLISHED_FOLDS = dict(
    bp4d=[['F001', 'M007', 'F018', 'F008', 'F002', 'M004', 'F010', 'F009',
           'M012', 'M001', 'F016', 'M014', 'F023', 'M008'],
          ['M011', 'F003', 'M010', 'M002', 'F005', 'F022', 'M018', 'M017',
           'F013', 'M016', 'F020', 'F011', 'M013', 'M005'],
          ['F007', 'F015', 'F006', 'F019', 'M006', 'M009', 'F012', 'M003',
           'F004', 'F021', 'F017', 'M015', 'F014']],
    disfa=[['SN002', 'SN010', 'SN001', 'SN026', 'SN027', 'SN032', 'SN030',
            'SN009', 'SN016'],
           ['SN013', 'SN018', 'SN011', 'SN028', 'SN012', 'SN006', 'SN031',
            'SN021', 'SN024'],
           ['SN003', 'SN029', 'SN023', 'SN025', 'SN008', 'SN005', 'SN007',
            'SN017', 'SN004']])

# One frame: (subject, task or '', frame number, one value per AU).
Frame = Tuple[str, str, int, List[str]]


def _au_number(name: str) -> Optional[int]:
    """12 for ``'12'``, ``'AU12'`` or ``'au012'``; None otherwise."""
    match = re.fullmatch(r'(?:au)?0*(\d+)', name.strip().lower())
    return int(match.group(1)) if match else None


def _au_numbers(aus: Sequence[str]) -> List[int]:
    """The numbers of AU names (``['AU1', 'AU12']`` -> ``[1, 12]``)."""
    numbers = [_au_number(a) for a in aus]
    if None in numbers:
        raise ValueError(f'aus must be AU names such as "AU12", got {aus}')
    return numbers


def read_bp4d_occurrence(csv_path: str,
                         aus: Sequence[str] = BP4D_AUS
                         ) -> List[Tuple[int, List[str]]]:
    """The frames of one BP4D occurrence file (``AU_OCC/F001_T1.csv``).

    The header holds the frame column (any name), then one column per AU,
    named by its number (``1``, ``2``, ... as released; ``AU1`` is read
    too). Each row is a frame number, then ``0`` (absent), ``1`` (present)
    or ``9`` (not coded) per AU; the ``9`` stays, for
    :class:`AUOccurrenceList` to reject or read as absent (``unknown_as``).

    Args:
        csv_path (str): The occurrence CSV of one subject and task.
        aus (Sequence[str]): The AUs to keep, in this order. Defaults to
            :data:`BP4D_AUS`.

    Returns:
        list[tuple[int, list[str]]]: ``(frame, values)`` per row, in file
        order.

    Raises:
        AnnotationError: ``file:line: reason`` for a header without one of
            ``aus``, a row of the wrong length, a frame that is not an
            integer or is repeated, or a value outside ``0, 1, 9``.

    Example:
        >>> import tempfile, os.path as osp
        >>> path = osp.join(tempfile.mkdtemp(), 'F001_T1.csv')
        >>> _ = open(path, 'w').write('0,1,2,4\\n1,0,1,9\\n2,1,1,0\\n')
        >>> read_bp4d_occurrence(path, aus=['AU1', 'AU4'])
        [(1, ['0', '9']), (2, ['1', '0'])]
    """
    with open(csv_path, encoding='utf-8-sig') as f:
        lines = [(n, line.strip()) for n, line in enumerate(f, start=1)
                 if line.strip()]
    if not lines:
        raise AnnotationError(f'{csv_path}:1: the file is empty.')
    head_line, header = lines[0]
    columns = [_au_number(c) for c in header.split(',')]
    wanted = _au_numbers(aus)
    index = []
    for name, number in zip(aus, wanted):
        if number not in columns[1:]:
            raise AnnotationError(
                f'{csv_path}:{head_line}: no column for {name} in the header '
                f'(AU columns: {header.split(",")[1:]})')
        index.append(columns.index(number, 1))
    frames: List[Tuple[int, List[str]]] = []
    seen: Dict[int, int] = {}
    for lineno, line in lines[1:]:
        cells = [c.strip() for c in line.split(',')]
        if len(cells) != len(columns):
            raise AnnotationError(
                f'{csv_path}:{lineno}: expected {len(columns)} values (as '
                f'the header), got {len(cells)}')
        try:
            frame = int(float(cells[0]))
        except ValueError:
            raise AnnotationError(f'{csv_path}:{lineno}: frame {cells[0]!r} '
                                  'is not a number') from None
        if frame in seen:
            raise AnnotationError(f'{csv_path}:{lineno}: frame {frame} is '
                                  f'listed twice (first on line '
                                  f'{seen[frame]})')
        seen[frame] = lineno
        values = [cells[i] for i in index]
        bad = next((v for v in values if v not in BP4D_VALUES), None)
        if bad is not None:
            raise AnnotationError(f'{csv_path}:{lineno}: value {bad!r} is '
                                  'not 0, 1 or 9')
        frames.append((frame, values))
    return frames


def read_disfa_intensities(subject_dir: str,
                           aus: Sequence[str] = DISFA_AUS,
                           threshold: int = 2
                           ) -> List[Tuple[int, List[str]]]:
    """The frames of one DISFA subject, AU intensities turned to occurrence.

    DISFA holds one file per subject and AU,
    ``ActionUnit_Labels/SN001/SN001_au1.txt``, whose lines are
    ``frame,intensity`` (intensity 0-5). A frame is present (``1``) for an
    AU whose intensity is at least ``threshold`` (2, the usual occurrence
    protocol), else absent (``0``).

    Args:
        subject_dir (str): The subject's label folder.
        aus (Sequence[str]): The AUs to read, in this order. Defaults to
            :data:`DISFA_AUS`.
        threshold (int): Lowest intensity counted as present. Defaults
            to 2.

    Returns:
        list[tuple[int, list[str]]]: ``(frame, values)`` per frame, by
        frame number.

    Raises:
        AnnotationError: A missing AU file, a line that is not two integers
            or holds an intensity outside 0-5, a frame listed twice, or AU
            files whose frames differ (the message names the file and
            line).

    Example:
        >>> import os, tempfile, os.path as osp
        >>> root = osp.join(tempfile.mkdtemp(), 'SN001')
        >>> os.mkdir(root)
        >>> for au, text in (('1', '1,0\\n2,3\\n'), ('2', '1,2\\n2,1\\n')):
        ...     _ = open(osp.join(root, f'SN001_au{au}.txt'), 'w').write(text)
        >>> read_disfa_intensities(root, aus=['AU1', 'AU2'])
        [(1, ['0', '1']), (2, ['1', '0'])]
    """
    subject = osp.basename(osp.normpath(subject_dir))
    per_au: List[Dict[int, int]] = []
    first_file = None
    for name, number in zip(aus, _au_numbers(aus)):
        path = osp.join(subject_dir, f'{subject}_au{number}.txt')
        if not osp.isfile(path):
            raise AnnotationError(f'{path}:1: the intensity file of {name} '
                                  f'of {subject} does not exist')
        values: Dict[int, int] = {}
        with open(path, encoding='utf-8-sig') as f:
            for lineno, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                cells = [c.strip() for c in line.split(',')]
                try:
                    frame, level = (int(c) for c in cells)
                except ValueError:
                    raise AnnotationError(
                        f'{path}:{lineno}: expected "frame,intensity" (two '
                        f'integers), got {line.strip()!r}') from None
                if not 0 <= level <= 5:
                    raise AnnotationError(f'{path}:{lineno}: intensity '
                                          f'{level} is not in 0-5')
                if frame in values:
                    raise AnnotationError(f'{path}:{lineno}: frame {frame} '
                                          'is listed twice')
                values[frame] = level
        if per_au and set(values) != set(per_au[0]):
            only = sorted(set(values) ^ set(per_au[0]))[:5]
            raise AnnotationError(
                f'{path}:1: its frames differ from those of {first_file} '
                f'(e.g. frame(s) {only})')
        first_file = first_file or path
        per_au.append(values)
    return [(frame, ['1' if au[frame] >= threshold else '0'
                     for au in per_au]) for frame in sorted(per_au[0])]


def read_fold_file(path: str) -> List[List[str]]:
    """Subject folds from a text file: one fold per line, its subjects
    separated by spaces or commas (``#`` starts a comment).

    Args:
        path (str): The fold file.

    Returns:
        list[list[str]]: The subjects of each fold, in file order.

    Raises:
        AnnotationError: A subject in two folds, or fewer than two folds.

    Example:
        >>> import tempfile, os.path as osp
        >>> path = osp.join(tempfile.mkdtemp(), 'folds.txt')
        >>> _ = open(path, 'w').write('F001 M001\\n# two\\nF002, M002\\n')
        >>> read_fold_file(path)
        [['F001', 'M001'], ['F002', 'M002']]
    """
    folds: List[List[str]] = []
    seen: Dict[str, int] = {}
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, start=1):
            subjects = line.split('#', 1)[0].replace(',', ' ').split()
            if not subjects:
                continue
            for subject in subjects:
                if subject in seen:
                    raise AnnotationError(
                        f'{path}:{lineno}: subject {subject} is already in '
                        f'the fold of line {seen[subject]}')
                seen[subject] = lineno
            folds.append(subjects)
    if len(folds) < 2:
        raise AnnotationError(f'{path}:1: {len(folds)} fold(s); a '
                              'subject-exclusive protocol needs at least 2')
    return folds


def seeded_subject_folds(subjects: Sequence[str], num_folds: int,
                         seed: int = 0) -> List[List[str]]:
    """Deal subjects into ``num_folds`` folds of (nearly) equal size.

    Subjects are ranked by ``sha256(f'{seed}\\0{subject}')`` and dealt
    round-robin, so the folds depend on the set of subjects and the seed
    only. Published BP4D / DISFA results use fixed fold lists
    (:data:`PUBLISHED_FOLDS`), the default of :func:`convert_au_labels`.

    Args:
        subjects (Sequence[str]): Distinct subject IDs.
        num_folds (int): Number of folds (at least 2, at most the number of
            subjects).
        seed (int): Seed of the ranking. Defaults to 0.

    Returns:
        list[list[str]]: The subjects of each fold, each sorted.

    Example:
        >>> folds = seeded_subject_folds(['F1', 'F2', 'F3', 'M1', 'M2'], 2)
        >>> sorted(len(f) for f in folds)
        [2, 3]
    """
    subjects = sorted(set(subjects))
    if not 2 <= num_folds <= len(subjects):
        raise ValueError(f'num_folds must be in [2, {len(subjects)}] for '
                         f'{len(subjects)} subjects, got {num_folds}')

    def rank(subject: str) -> str:
        return hashlib.sha256(f'{seed}\0{subject}'.encode()).hexdigest()

    ranked = sorted(subjects, key=rank)
    return [sorted(ranked[k::num_folds]) for k in range(num_folds)]


def _bp4d_frames(label_dir: str, aus: Sequence[str]) -> List[Frame]:
    paths = sorted(glob.glob(osp.join(label_dir, '*.csv')))
    if not paths:
        raise FileNotFoundError(
            f'No occurrence CSV (F001_T1.csv ...) in {label_dir}; give '
            "BP4D's AUCoding/AU_OCC folder.")
    frames: List[Frame] = []
    for path in paths:
        stem = osp.splitext(osp.basename(path))[0]
        if '_' not in stem:
            raise AnnotationError(f'{path}:1: the name is not '
                                  '<subject>_<task>.csv (e.g. F001_T1.csv)')
        subject, task = stem.split('_', 1)
        frames += [(subject, task, frame, values)
                   for frame, values in read_bp4d_occurrence(path, aus)]
    return frames


def _disfa_frames(label_dir: str, aus: Sequence[str],
                  threshold: int) -> List[Frame]:
    subjects = sorted(d for d in os.listdir(label_dir)
                      if osp.isdir(osp.join(label_dir, d)))
    if not subjects:
        raise FileNotFoundError(
            f'No subject folder (SN001 ...) in {label_dir}; give DISFA\'s '
            'ActionUnit_Labels folder.')
    frames: List[Frame] = []
    for subject in subjects:
        frames += [(subject, '', frame, values)
                   for frame, values in read_disfa_intensities(
                       osp.join(label_dir, subject), aus, threshold)]
    return frames


def convert_au_labels(dataset: str,
                      label_dir: str,
                      out_dir: str,
                      folds: Union[str, List[List[str]]] = 'published',
                      num_folds: int = 3,
                      seed: int = 0,
                      image_root: Optional[str] = None,
                      pattern: Optional[str] = None,
                      aus: Optional[Sequence[str]] = None,
                      threshold: int = 2,
                      unknown: str = 'drop') -> List[dict]:
    """Write ``fold1.txt`` ... of BP4D or DISFA labels, the format of
    :class:`~fbp_mm.datasets.AUOccurrenceList`.

    Each fold list holds a header (``image AU1 AU2 ...``) and one row per
    frame of its subjects: the image path (``pattern`` filled with
    ``subject``, ``task`` (BP4D) and ``frame``), then one value per AU.
    With ``image_root``, frames whose image is not there (no face crop
    was written for them) are left out and counted. BP4D codes some frames
    ``9`` (not coded) for some AUs; ``unknown`` says what becomes of them.
    Each list is written whole or not at all.

    Args:
        dataset (str): ``'bp4d'`` (``label_dir``: ``AUCoding/AU_OCC``) or
            ``'disfa'`` (``label_dir``: ``ActionUnit_Labels``).
        label_dir (str): The folder of the official label files.
        out_dir (str): Where the fold lists go.
        folds (str | list[list[str]]): ``'published'`` (the dataset's
            :data:`PUBLISHED_FOLDS`), ``'seeded'``
            (:func:`seeded_subject_folds`) or the subjects of each fold
            (e.g. from :func:`read_fold_file`). Every labeled subject must
            be in one. Defaults to ``'published'``.
        num_folds (int): Folds drawn with ``folds='seeded'``. Defaults to
            3.
        seed (int): Seed of those folds. Defaults to 0.
        image_root (str, optional): The images the paths are relative to
            (the configs' ``data_root/images``). Defaults to None (no
            check).
        pattern (str, optional): Image path of a frame. Defaults to
            :data:`DEFAULT_PATTERNS` of the dataset.
        aus (Sequence[str], optional): AUs to write. Defaults to
            :data:`BP4D_AUS` / :data:`DISFA_AUS`.
        threshold (int): DISFA intensity counted as present. Defaults to 2.
        unknown (str): A frame with a ``9`` among ``aus``: ``'drop'`` leaves
            it out (counted), ``'absent'`` writes 0, ``'keep'`` writes 9
            (for ``AUOccurrenceList(unknown_as=...)`` to decide). Defaults
            to ``'drop'``, so the lists read with the configs' defaults.

    Returns:
        list[dict]: Per fold: ``file``, ``subjects``, ``frames``,
        ``missing_images``, ``unknown_frames`` (frames with a ``9``) and
        ``present`` (the share of frames with each
        AU present, ``{au: share}``; ``9`` counts as not present).

    Example:
        >>> # convert_au_labels('bp4d', 'data/BP4D/AUCoding/AU_OCC',
        >>> #                   'data/BP4D/lists',
        >>> #                   image_root='data/BP4D/images')
    """
    if dataset not in DEFAULT_PATTERNS:
        raise ValueError(f"dataset must be 'bp4d' or 'disfa', got "
                         f'{dataset!r}')
    if unknown not in ('drop', 'absent', 'keep'):
        raise ValueError("unknown must be 'drop', 'absent' or 'keep', got "
                         f'{unknown!r}')
    aus = list(aus or (BP4D_AUS if dataset == 'bp4d' else DISFA_AUS))
    pattern = pattern or DEFAULT_PATTERNS[dataset]
    if dataset == 'bp4d':
        frames = _bp4d_frames(label_dir, aus)
    else:
        frames = _disfa_frames(label_dir, aus, threshold)
    subjects = sorted({f[0] for f in frames})
    if folds == 'seeded':
        folds = seeded_subject_folds(subjects, num_folds, seed)
    elif folds == 'published':
        folds = PUBLISHED_FOLDS[dataset]
    elif isinstance(folds, str):
        raise ValueError("folds must be 'published', 'seeded' or a list of "
                         f'subject lists, got {folds!r}')
    assigned = {s for fold in folds for s in fold}
    unassigned = [s for s in subjects if s not in assigned]
    if unassigned:
        raise ValueError(f'subjects {unassigned} of {label_dir} are in no '
                         'fold (give the folds as a list / fold file, or '
                         "draw them: folds='seeded')")
    fold_of = {s: k for k, fold in enumerate(folds) for s in fold}
    rows: List[List[str]] = [[] for _ in folds]
    missing = [0] * len(folds)
    uncoded = [0] * len(folds)
    present = [[0] * len(aus) for _ in folds]
    for subject, task, frame, values in frames:
        k = fold_of[subject]
        try:
            image = pattern.format(subject=subject, task=task, frame=frame)
        except (KeyError, ValueError) as err:
            raise ValueError(f'pattern {pattern!r} cannot be filled '
                             f'(fields: subject, task, frame): {err}') \
                from None
        if image_root and not osp.isfile(osp.join(image_root, image)):
            missing[k] += 1
            continue
        if '9' in values:
            uncoded[k] += 1
            if unknown == 'drop':
                continue
            if unknown == 'absent':
                values = ['0' if v == '9' else v for v in values]
        rows[k].append(' '.join([image] + values))
        for j, value in enumerate(values):
            present[k][j] += value == '1'
    report = []
    os.makedirs(out_dir, exist_ok=True)
    for k, fold in enumerate(folds):
        path = osp.join(out_dir, f'fold{k + 1}.txt')
        write_atomic(path, '\n'.join([' '.join(['image'] + aus)] + rows[k])
                     + '\n')
        count = len(rows[k])
        report.append(
            dict(file=path, subjects=sorted(fold), frames=count,
                 missing_images=missing[k], unknown_frames=uncoded[k],
                 present={au: (present[k][j] / count if count else 0.0)
                          for j, au in enumerate(aus)}))
    return report
