"""What a stage was made from: hashes of configs, checkpoints, data lists.

A stage's fingerprint is a dict ``input name -> hash``; the runner stores
it with the finished stage and compares it on the next run.
"""
import copy
import json
import os
import os.path as osp
from typing import Any, Dict, Iterator, List, Optional, Sequence

from mmengine.config import Config

from ...utils.hashing import file_sha256, folder_listing_sha256, json_sha256

#: Config keys whose value, when a local file, is a checkpoint to hash.
CHECKPOINT_KEYS = ('checkpoint', 'teacher_ckpt', 'load_from', 'pretrained')
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


class FileHasher:
    """Hashes files, with a cache kept across runs in a JSON file.

    A cached hash is reused while the file's size and modification time
    are unchanged, so a large checkpoint is read once.

    Args:
        cache_file (str, optional): Where the cache is kept. Defaults to
            None (in memory only).

    Example:
        >>> hasher = FileHasher('work_dirs/recipe/.hashes.json')
        >>> # hasher.file('work_dirs/recipe/teacher/epoch_3.pth')
    """

    def __init__(self, cache_file: Optional[str] = None) -> None:
        self.cache_file = cache_file
        self.cache: Dict[str, dict] = {}
        if cache_file and osp.isfile(cache_file):
            try:
                with open(cache_file) as f:
                    self.cache = json.load(f)
            except ValueError:
                self.cache = {}

    def file(self, path: str) -> str:
        """SHA-256 of a file's content."""
        return file_sha256(path, self.cache)

    def path(self, path: str) -> str:
        """Hash of a file's content or of a folder's listing."""
        if osp.isdir(path):
            return 'tree:' + folder_listing_sha256(path)
        return self.file(path)

    def save(self) -> None:
        """Write the cache (atomically)."""
        if not self.cache_file:
            return
        tmp = self.cache_file + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.cache, f)
        os.replace(tmp, self.cache_file)


def config_fingerprint(cfg: Config,
                       hasher: FileHasher,
                       loaders: Sequence[str] = LOADERS,
                       weights: bool = True) -> Dict[str, str]:
    """Fingerprint of a merged config: its content, its data and weights.

    ``work_dir`` and ``launcher`` are left out (they do not change what is
    trained). Data lists are found by building each dataloader's dataset
    lazily (its annotation files, joined with ``data_root`` the way the
    dataset itself joins them); a dataset without a list file (a folder
    of images) is hashed by its folder's listing. Checkpoints are the
    local files named by ``checkpoint``, ``teacher_ckpt`` or
    ``pretrained`` keys inside ``model``, and ``load_from``.

    Args:
        cfg (Config): The merged config.
        hasher (FileHasher): Hashes files.
        loaders (Sequence[str]): The dataloaders whose data count.
            Defaults to all three.
        weights (bool): Hash the checkpoints the config names. Defaults to
            True; a test loads its own checkpoint instead.

    Returns:
        dict[str, str]: ``'config'`` and one ``'data:<path>'`` or
        ``'weights:<path>'`` entry per file.
    """
    plain = copy.deepcopy(cfg.to_dict())
    for key in ('work_dir', 'launcher'):
        plain.pop(key, None)
    result = {'config': json_sha256(plain)}
    for path in sorted(set(dataset_files(cfg, loaders))):
        result[f'data:{path}'] = hasher.path(path)
    # Weights the run reads: those of the model, and `load_from`. Other
    # top-level variables (e.g. a `pretrained` path that `model` no longer
    # uses after an override) do not count.
    named = list(_checkpoint_files(plain.get('model') or {})) \
        if weights else []
    load_from = plain.get('load_from')
    if weights and isinstance(load_from, str) and osp.isfile(load_from):
        named.append(osp.abspath(load_from))
    for path in sorted(set(named)):
        result[f'weights:{path}'] = hasher.file(path)
    return result


def dataset_files(cfg: Config,
                  loaders: Sequence[str] = LOADERS) -> List[str]:
    """Absolute paths of the data lists (or image folders) of a config.

    Args:
        cfg (Config): A merged config.
        loaders (Sequence[str]): The dataloaders to look at. Defaults to
            all three.

    Returns:
        list[str]: Files or folders, one entry per list / folder.
    """
    found: List[str] = []
    for loader in loaders:
        dataset = (cfg.get(loader) or {}).get('dataset')
        if dataset:
            found += _dataset_files(dataset, cfg.get('default_scope'))
    return found


def _dataset_files(dataset: dict, scope: Optional[str]) -> List[str]:
    from mmengine.registry import DefaultScope
    from mmpretrain.registry import DATASETS

    if 'datasets' in dataset:
        return [
            p for d in dataset['datasets'] for p in _dataset_files(d, scope)
        ]
    if 'dataset' in dataset and 'type' in dataset and \
            'ann_file' not in dataset:
        return _dataset_files(dataset['dataset'], scope)
    lazy = copy.deepcopy(dict(dataset))
    lazy.update(lazy_init=True, pipeline=[])
    with DefaultScope.overwrite_default_scope(scope or 'mmpretrain'):
        built = DATASETS.build(lazy)
    files = list(getattr(built, 'ann_files', None) or [])
    if not files and getattr(built, 'ann_file', ''):
        files = [built.ann_file]
    files = [osp.abspath(f) for f in files if f]
    if files:
        return files
    prefix = getattr(built, 'data_prefix', {}) or {}
    folder = prefix.get('img_path') or prefix.get('img') or \
        getattr(built, 'data_root', '')
    return [osp.abspath(folder)] if folder and osp.isdir(folder) else []


def _checkpoint_files(value: Any, key: str = '') -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _checkpoint_files(v, k)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _checkpoint_files(v, key)
    elif isinstance(value, str) and key in CHECKPOINT_KEYS and \
            osp.isfile(value):
        yield osp.abspath(value)
