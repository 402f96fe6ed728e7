"""Content hashes of files, folders and configs (stage fingerprints)."""
import hashlib
import json
import os
import os.path as osp
from typing import Any, Dict, Optional

_CHUNK = 1 << 20


def file_sha256(path: str, cache: Optional[Dict[str, dict]] = None) -> str:
    """SHA-256 of a file's content, hex.

    Args:
        path (str): The file.
        cache (dict, optional): ``abs path -> {size, mtime_ns, sha256}``;
            a hit with the same size and modification time is returned
            without reading the file, a miss is added. Defaults to None.

    Returns:
        str: The hex digest.

    Example:
        >>> # file_sha256('work_dirs/teacher/epoch_10.pth')[:12]
    """
    path = osp.abspath(path)
    stat = os.stat(path)
    if cache is not None:
        hit = cache.get(path)
        if hit and hit['size'] == stat.st_size and \
                hit['mtime_ns'] == stat.st_mtime_ns:
            return hit['sha256']
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(_CHUNK), b''):
            digest.update(block)
    value = digest.hexdigest()
    if cache is not None:
        cache[path] = dict(
            size=stat.st_size, mtime_ns=stat.st_mtime_ns, sha256=value)
    return value


def folder_listing_sha256(folder: str) -> str:
    """SHA-256 of a folder tree's listing: relative names and sizes.

    Cheaper than hashing every image: it changes when a file is added,
    removed, renamed or changes size.

    Args:
        folder (str): The folder.

    Returns:
        str: The hex digest.
    """
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            full = osp.join(root, name)
            rel = osp.relpath(full, folder).replace(osp.sep, '/')
            digest.update(f'{rel}\0{os.path.getsize(full)}\n'.encode())
    return digest.hexdigest()


def json_sha256(value: Any) -> str:
    """SHA-256 of a JSON-able value, with keys sorted.

    Args:
        value (Any): Plain data; other objects are hashed by ``str()``.

    Returns:
        str: The hex digest.
    """
    text = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
