# Copyright (c) fbp_mm contributors. All rights reserved.
"""Reporting bad rows of annotation lists: raise at once, or skip and count;
reading landmark lists; writing a list file whole or not at all.

Every dataset of fbp_mm reads its list once; a bad row either raises an
:class:`AnnotationError` naming file and line, or, with
``skip_invalid=True``, is dropped and counted in one warning.
"""
import logging
import os
import os.path as osp
from typing import Dict, List, Optional, Set

import numpy as np
from mmengine.logging import print_log

__all__ = [
    'IMAGE_EXTENSIONS', 'AnnotationError', 'InvalidRows', 'missing_image',
    'read_landmarks', 'read_partition', 'read_path_list', 'write_atomic'
]

#: File name endings of images (compared in lower case).
IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif',
                    '.tiff')

SKIP_HINT = 'set skip_invalid=True to skip such rows'


class AnnotationError(ValueError):
    """A bad row of an annotation file; the message starts with
    ``file:line:`` (``file:`` alone for an image whose file name carries
    its labels and cannot be parsed)."""


def missing_image(img_path: str) -> Optional[str]:
    """Say why ``img_path`` cannot be used, or None if it is a file.

    Args:
        img_path (str): Image path as the dataset will load it.

    Returns:
        str | None: ``'image "<path>" does not exist'`` or None.

    Example:
        >>> missing_image('/nonexistent/a.jpg')
        'image "/nonexistent/a.jpg" does not exist'
    """
    if osp.isfile(img_path):
        return None
    return f'image "{img_path}" does not exist'


class InvalidRows:
    """Collect the bad rows of annotation lists.

    With ``skip=False`` the first bad row raises an :class:`AnnotationError`
    ``"<file>:<line>: <reason> (set skip_invalid=True to skip such
    rows)"``. With ``skip=True`` rows are counted and :meth:`warn` logs one
    warning for all of them.

    Args:
        skip (bool): Count bad rows instead of raising.
        noun (str): What a bad row is called in the warning, e.g.
            ``'invalid row(s)'`` or ``'missing image(s)'``.

    Example:
        >>> rows = InvalidRows(skip=True, noun='missing image(s)')
        >>> rows.add('list.txt', 3, 'image "x.jpg" does not exist')
        >>> len(rows), rows.first
        (1, 'list.txt:3: image "x.jpg" does not exist')
    """

    def __init__(self, skip: bool, noun: str = 'invalid row(s)') -> None:
        self.skip = skip
        self.noun = noun
        self.messages: List[str] = []

    def add(self, ann_file: str, lineno: Optional[int],
            reason: str) -> None:
        """Record (or raise for) one bad row.

        Args:
            ann_file (str): The list file, or the image file itself for
                datasets whose labels are in the file names.
            lineno (int, optional): Its 1-based line number; None for an
                image file named by its path alone (``"<file>: <reason>"``).
            reason (str): What is wrong with the row.

        Raises:
            AnnotationError: When rows are not skipped.
        """
        where = ann_file if lineno is None else f'{ann_file}:{lineno}'
        message = f'{where}: {reason}'
        if not self.skip:
            raise AnnotationError(f'{message} ({SKIP_HINT})')
        self.messages.append(message)

    def __len__(self) -> int:
        return len(self.messages)

    @property
    def first(self) -> Optional[str]:
        """The first recorded message, or None."""
        return self.messages[0] if self.messages else None

    def warn(self, files: str) -> None:
        """Log one warning counting the skipped rows (none if there are
        none).

        Args:
            files (str): The list file(s), as shown in the warning.
        """
        if self.messages:
            print_log(
                f'Skipped {len(self.messages)} {self.noun} of {files}; '
                f'first: {self.first}',
                logger='current',
                level=logging.WARNING)


def read_landmarks(path: str,
                   root: str = '',
                   line_numbers: Optional[Dict[str, int]] = None
                   ) -> Dict[str, np.ndarray]:
    """Read a landmark list: ``<image> x0 y0 ... x67 y67`` per line.

    The format the synthetic demo faces and
    ``tools/dataset_converters/write_landmarks.py`` write (68 points in the
    68-point order, pixels). Blank lines and ``#`` comments are skipped.

    Args:
        path (str): The list file.
        root (str): Folder the image paths are relative to. Defaults to ''.
        line_numbers (dict, optional): Filled with ``{key: line number}``
            when given (to name the line of a later problem).

    Returns:
        dict: ``{image path joined to root: (68, 2) float32 array}``.

    Raises:
        FileNotFoundError: When ``path`` does not exist.
        AnnotationError: ``file:line:`` and what is wrong (field count, a
            value that is not a finite number, a repeated image).

    Example:
        >>> # points = read_landmarks('data/demo_faces/landmarks.txt',
        >>> #                         'data/demo_faces')
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'Landmark file {path} does not exist.')
    points: Dict[str, np.ndarray] = {}
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, start=1):
            line = line.split('#')[0].strip()
            if not line:
                continue
            fields = line.split()
            where = f'{path}:{lineno}:'
            if len(fields) != 1 + 136:
                raise AnnotationError(
                    f'{where} expected an image and 136 numbers (68 x, y '
                    f'pairs), got {len(fields) - 1} numbers')
            try:
                values = np.array(fields[1:], dtype=np.float32)
            except ValueError:
                raise AnnotationError(
                    f'{where} a landmark value is not a number') from None
            if not np.isfinite(values).all():
                raise AnnotationError(f'{where} a landmark value is not '
                                      'finite')
            key = osp.join(root, fields[0])
            if key in points:
                raise AnnotationError(f'{where} {fields[0]} is listed twice')
            points[key] = values.reshape(68, 2)
            if line_numbers is not None:
                line_numbers[key] = lineno
    return points


def read_partition(path: str,
                   problems: InvalidRows,
                   known: Optional[Set[str]] = None,
                   known_file: str = '') -> Dict[str, int]:
    """Read a CelebA-style split list: ``<image> <0|1|2>`` per line.

    The layout of CelebA's ``list_eval_partition.txt`` (0 = train, 1 = val,
    2 = test), which the synthetic demo faces' ``partition.txt`` follows.

    Args:
        path (str): The partition file.
        problems (InvalidRows): Where bad rows go (raise or count).
        known (set[str], optional): Image names the annotation file has; a
            partition row for another image is a bad row.
        known_file (str): That annotation file, for the message.

    Returns:
        dict: ``{image name: partition code}`` of the valid rows.

    Raises:
        FileNotFoundError: When ``path`` does not exist.
        AnnotationError: For a bad row, unless ``problems`` skips.

    Example:
        >>> # read_partition('data/demo_faces/partition.txt',
        >>> #                InvalidRows(skip=False))
    """
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Partition file {path} (the CelebA-style list of images and '
            'their split, 0 = train, 1 = val, 2 = test) does not exist.')
    codes: Dict[str, int] = {}
    lines: Dict[str, int] = {}
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f, start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 2 or fields[1] not in ('0', '1', '2'):
                problems.add(
                    path, lineno, 'expected "<image> <0|1|2>" (0 = train, '
                    f'1 = val, 2 = test), got {line.strip()!r}')
                continue
            name = fields[0]
            if name in codes:
                problems.add(
                    path, lineno, f'"{name}" is listed twice (first on line '
                    f'{lines[name]})')
                continue
            if known is not None and name not in known:
                problems.add(path, lineno,
                             f'"{name}" is not in the annotation file '
                             f'{known_file}')
                continue
            codes[name] = int(fields[1])
            lines[name] = lineno
    return codes


def read_path_list(path: str, must_exist: bool = False) -> List[str]:
    """The paths of a list file: one per line, relative to the list's
    folder unless absolute; ``#`` comments and empty lines skipped.

    Args:
        path (str): The list file.
        must_exist (bool): Raise for a listed path that does not exist.
            Defaults to False.

    Returns:
        list[str]: Absolute paths, in the list's order.

    Raises:
        FileNotFoundError: ``path:line: ... does not exist`` for a missing
            listed path (with ``must_exist``).

    Example:
        >>> # read_path_list('data/photos.txt', must_exist=True)
    """
    base = osp.dirname(osp.abspath(path))
    paths = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            entry = line.split('#')[0].strip()
            if not entry:
                continue
            full = osp.abspath(osp.join(base, entry))
            if must_exist and not osp.exists(full):
                raise FileNotFoundError(
                    f'{path}:{number}: {full} does not exist')
            paths.append(full)
    return paths


def _fsync_dir(folder: str) -> None:
    """Persist a rename / creation in ``folder`` (best effort, POSIX)."""
    try:
        fd = os.open(folder or '.', os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename.

    Readers see either the old file or the complete new one; an
    interrupted write leaves no partial file.

    Args:
        path (str): The file; its folder must exist.
        text (str): The whole content.

    Example:
        >>> import os.path as osp, tempfile
        >>> path = osp.join(tempfile.mkdtemp(), 'list.txt')
        >>> write_atomic(path, 'a.jpg\\n')
        >>> open(path).read()
        'a.jpg\\n'
    """
    folder = osp.dirname(osp.abspath(path))
    tmp = osp.join(folder, f'.{osp.basename(path)}.tmp{os.getpid()}')
    try:
        with open(tmp, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    _fsync_dir(folder)
