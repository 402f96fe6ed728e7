"""The image lists of the 300W protocol, written from the released folders
(``tools/dataset_converters/face300w_lists.py``)."""
import os
import os.path as osp
from typing import Dict, List, Tuple

from .annotations import IMAGE_EXTENSIONS, write_atomic

__all__ = ['FACE300W_SUBSETS', 'FACE300W_SIZES', 'write_300w_lists']

#: The folders of each list of the usual 300W protocol (``full`` =
#: ``common`` + ``challenging``; ``private``: the 300-W challenge's own test
#: set, written when its folders are there).
FACE300W_SUBSETS: Dict[str, List[str]] = dict(
    train=['afw', 'helen/trainset', 'lfpw/trainset'],
    common=['helen/testset', 'lfpw/testset'],
    challenging=['ibug'],
    full=['helen/testset', 'lfpw/testset', 'ibug'],
    private=['300W/01_Indoor', '300W/02_Outdoor'])
#: The images of each list in the released archives.
FACE300W_SIZES = dict(train=3148, common=554, challenging=135, full=689,
                      private=600)


def _images_with_points(root: str, folder: str) -> Tuple[List[str], int]:
    """Images of ``root/folder`` (not recursive) with a ``.pts`` beside
    them, relative to ``root`` and sorted, and how many have none."""
    found, skipped = [], 0
    for name in sorted(os.listdir(osp.join(root, folder))):
        stem, ext = osp.splitext(name)
        if ext.lower() not in IMAGE_EXTENSIONS:
            continue
        if osp.isfile(osp.join(root, folder, stem + '.pts')):
            found.append(f'{folder}/{name}')
        else:
            skipped += 1
    return found, skipped


def write_300w_lists(root: str) -> Dict[str, dict]:
    """Write ``train.txt``, ``common.txt``, ``challenging.txt`` and
    ``full.txt`` (and ``private.txt`` when the 300-W test folders exist)
    into ``root``, the lists :class:`~fbp_mm.datasets.Face300W` reads.

    Each list holds, one per line, the images of its folders
    (:data:`FACE300W_SUBSETS`) that have a ``.pts`` file beside them,
    relative to ``root``, sorted by folder and name. A list is written
    whole or not at all (:func:`~fbp_mm.datasets.annotations.write_atomic`).

    Args:
        root (str): The 300W folder (``afw/``, ``helen/``, ``lfpw/``,
            ``ibug/``, optionally ``300W/``).

    Returns:
        dict[str, dict]: Per list written: ``file``, ``images``,
        ``expected`` (:data:`FACE300W_SIZES`) and ``skipped`` (images
        without a ``.pts``).

    Raises:
        FileNotFoundError: A folder of the train / common / challenging
            lists is missing.

    Example:
        >>> # write_300w_lists('data/300W')['train']['images']  # 3148
    """
    missing = sorted({f for name, folders in FACE300W_SUBSETS.items()
                      if name != 'private' for f in folders
                      if not osp.isdir(osp.join(root, f))})
    if missing:
        raise FileNotFoundError(
            f'{root} has no {", ".join(missing)}: expected the released '
            '300W folders afw/, helen/trainset, helen/testset, '
            'lfpw/trainset, lfpw/testset and ibug/')
    report = {}
    for name, folders in FACE300W_SUBSETS.items():
        if not all(osp.isdir(osp.join(root, f)) for f in folders):
            continue  # the optional private set
        images: List[str] = []
        skipped = 0
        for folder in folders:
            listed, without = _images_with_points(root, folder)
            images += listed
            skipped += without
        path = osp.join(root, f'{name}.txt')
        write_atomic(path, ''.join(f'{image}\n' for image in images))
        report[name] = dict(file=path, images=len(images),
                            expected=FACE300W_SIZES[name], skipped=skipped)
    return report
