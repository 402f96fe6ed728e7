# Copyright (c) fbp_mm contributors. All rights reserved.
"""Checks of command-line input that would otherwise fail late or never.

``--cfg-options`` adds any key it names, so a misspelt one
(``lod_from=x.pth``) is silently ignored by everything that reads the real
key; a ``--out`` file the test tool cannot write used to fail only after
the whole test had run; a missing data folder failed deep inside a
dataset. These checks run before any work starts.

Example:
    >>> from mmengine.config import Config
    >>> cfg = Config(dict(load_from=None, model=dict(type='X')))
    >>> unknown_cfg_options(cfg, {'lod_from': 'a.pth'})
    ["--cfg-options lod_from: the config has no key 'lod_from' (did you mean 'load_from'?); it is added, and nothing reads it unless you meant to add it"]
"""  # noqa: E501
import difflib
import logging
import os.path as osp
from typing import Any, Dict, List, Mapping, Sequence

import torch
from mmengine.logging import print_log

__all__ = ['unknown_cfg_options', 'warn_unknown_cfg_options',
           'check_out_file', 'check_data_roots', 'check_device',
           'check_hook_args',
           'OUT_FORMATS', 'DATA_HINTS']

#: File extensions ``tools/test.py --out`` can write, per ``--out-item``.
OUT_FORMATS: Dict[str, Sequence[str]] = {
    'pred': ('.pkl', '.pickle'),
    'metrics': ('.json', '.yaml', '.yml', '.pkl', '.pickle'),
}


def _missing_part(cfg: Mapping, key: str) -> str:
    """The message for a dotted ``key`` that is not in ``cfg`` (a plain
    mapping), or ''."""
    node = cfg
    parts = key.split('.')
    for depth, part in enumerate(parts):
        where = '.'.join(parts[:depth]) or 'the config'
        if isinstance(node, (list, tuple)):
            if not part.isdigit() or int(part) >= len(node):
                return (f'{where} is a list of {len(node)}, {part!r} is not '
                        f'one of its indices')
            node = node[int(part)]
            continue
        if not isinstance(node, Mapping):
            return ''  # replacing a value by a dict: nothing to check
        if part not in node:
            if part.startswith('_'):  # _delete_ and such
                return ''
            close = difflib.get_close_matches(
                part, [str(k) for k in node.keys()], n=1, cutoff=0.75)
            hint = f' (did you mean {close[0]!r}?)' if close else ''
            owner = 'the config' if depth == 0 else repr(where)
            return (f'{owner} has no key {part!r}{hint}; it is added, and '
                    f'nothing reads it unless you meant to add it')
        node = node[part]
    return ''


def unknown_cfg_options(cfg: Any, options: Mapping[str, Any]) -> List[str]:
    """Messages for the ``--cfg-options`` keys that name nothing in ``cfg``.

    A key whose first missing part has a close match among its siblings
    gets that match as a suggestion (``difflib``, cutoff 0.75). Keys that
    start with ``_`` and values that replace a non-dict are not checked.

    Args:
        cfg (Config | Mapping): The merged config, before the options.
        options (Mapping[str, Any]): The parsed ``--cfg-options``.

    Returns:
        list[str]: One message per unknown key (empty when all are known).
    """
    cfg = cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg  # once
    messages = []
    for key in options:
        problem = _missing_part(cfg, str(key))
        if problem:
            messages.append(f'--cfg-options {key}: {problem}')
    return messages


def warn_unknown_cfg_options(cfg: Any, options: Mapping[str, Any]) -> None:
    """Log a warning for each message of :func:`unknown_cfg_options`.

    Args:
        cfg (Config | Mapping): The merged config, before the options.
        options (Mapping[str, Any]): The parsed ``--cfg-options``.
    """
    for message in unknown_cfg_options(cfg, options or {}):
        print_log(message, logger='current', level=logging.WARNING)


def check_out_file(path: str, item: str) -> None:
    """Refuse a ``--out`` file the test tool cannot write, before testing.

    Args:
        path (str): The ``--out`` path.
        item (str): ``'pred'`` (MMEngine's ``DumpResults``: pickle) or
            ``'metrics'`` (``mmengine.dump``: JSON, YAML or pickle, by
            extension).

    Raises:
        ValueError: When the extension does not fit ``item``, or the folder
            of ``path`` is a file.
    """
    formats = OUT_FORMATS[item]
    ext = osp.splitext(path)[1].lower()
    if ext not in formats:
        raise ValueError(
            f'--out {path}: --out-item {item} is written as '
            f'{" / ".join(formats)}, not {ext or "a file without extension"}'
            f'; nothing was run.')
    folder = osp.dirname(osp.abspath(path))
    if osp.exists(folder) and not osp.isdir(folder):
        raise ValueError(f'--out {path}: {folder} is a file, not a folder; '
                         f'nothing was run.')


def check_device(device: str, flag: str = '--device') -> None:
    """Refuse a CUDA device on a machine without CUDA, before any work.

    Args:
        device (str): ``'cpu'``, ``'cuda'``, ``'cuda:1'``...
        flag (str): How the user gave it, for the message.

    Raises:
        ValueError: Saying that there is no GPU and what to pass instead.

    Example:
        >>> check_device('cpu')
    """
    if str(device).startswith('cuda') and not torch.cuda.is_available():
        raise ValueError(f'{flag} {device}: this machine has no CUDA device '
                         f'(torch {torch.__version__}); use {flag} cpu.')


def _hook_entries(cfg: Any):
    """``(where, hook config)`` of the config's default and custom hooks."""
    for name, hook in (cfg.get('default_hooks') or {}).items():
        if isinstance(hook, Mapping):
            yield f'default_hooks.{name}', hook
    for i, hook in enumerate(cfg.get('custom_hooks') or []):
        if isinstance(hook, Mapping):
            yield f'custom_hooks[{i}]', hook


def check_hook_args(cfg: Any) -> None:
    """Refuse a hook argument its class does not take, before any work
    (MMEngine would raise a bare ``TypeError`` while building the runner,
    or a hook would fail when it first runs).

    Args:
        cfg (Config): The merged config.

    Raises:
        ValueError: Naming the hook entry, the argument, a close match and
            the arguments the hook takes.

    Example:
        >>> from mmengine.config import Config
        >>> check_hook_args(Config(dict(custom_hooks=[
        ...     dict(type='EMAHook', momentum=1e-4)])))
    """
    import inspect

    from mmpretrain.registry import HOOKS
    for where, hook in _hook_entries(cfg):
        hook_type = hook.get('type')
        if not isinstance(hook_type, str):
            continue
        hook_cls = HOOKS.get(hook_type)
        if hook_cls is None:
            names = sorted(set(HOOKS.module_dict) | set(
                HOOKS.parent.module_dict if HOOKS.parent else {}))
            close = difflib.get_close_matches(hook_type, names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ''
            raise ValueError(f"{where}: no hook type '{hook_type}' is "
                             f'registered{hint}.')
        params = inspect.signature(hook_cls.__init__).parameters
        known = [
            n for n, p in params.items()
            if n != 'self' and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
        ]
        if any(p.kind == p.VAR_KEYWORD for p in params.values()):
            # CheckpointHook hands the rest to Runner.save_checkpoint at
            # its first save (a TypeError after the first epoch)
            # and EMAHook to its averaged model
            from mmengine.hooks import CheckpointHook, EMAHook
            from mmengine.registry import MODELS
            from mmengine.runner import Runner
            if issubclass(hook_cls, CheckpointHook):
                target, skip = Runner.save_checkpoint, ['out_dir', 'filename']
            elif issubclass(hook_cls, EMAHook):
                target = MODELS.get(
                    hook.get('ema_type', 'ExponentialMovingAverage'))
                skip = ['model']
                if target is None:
                    continue
            else:
                continue
            params = inspect.signature(target).parameters
            if any(p.kind == p.VAR_KEYWORD for p in params.values()):
                continue
            known += [
                n for n in params if n not in ['self'] + skip + known
            ]
        for key in hook:
            if key in ('type', 'priority') or key in known or key.startswith(
                    '_'):
                continue
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ''
            raise ValueError(
                f"{where} ({hook_type}) has no argument '{key}'{hint}; it "
                f'takes {", ".join(known) or "none"}. Nothing was run.')


#: Where each dataset's data comes from, for the missing-folder error.
DATA_HINTS: Dict[str, str] = {
    'SCUTFBP5500': 'SCUT-FBP5500_v2 from its authors (github.com/HCIILAB/'
    'SCUT-FBP5500-Database-Release), unpacked as it ships; or synthetic '
    'faces in its layout: python tools/dataset_converters/'
    'make_demo_faces.py DIR',
    'ScoreListDataset': 'a folder of images and a `path score` list (or a '
    'CSV with a header); degraded-face sets: tools/dataset_converters/'
    'make_degraded_faces.py',
    'UnlabeledFaceDataset': 'any folder of face images (curate raw photos '
    'with tools/curate_faces.py; landmarks with tools/dataset_converters/'
    'write_landmarks.py)',
    'CelebAAttributes': 'CelebA (mmlab.ie.cuhk.edu.hk/projects/CelebA.html):'
    ' img_align_celeba/, Anno/list_attr_celeba.txt, '
    'Eval/list_eval_partition.txt',
    'LFWAttributes': 'LFW images (lfw/<Name>/<Name>_0001.jpg) and '
    'lfw_attributes.txt of Kumar et al.',
    'RAFDBBasic': 'RAF-DB basic (by request from its authors, '
    'whdeng.cn/RAF): Image/aligned/ and EmoLabel/list_patition_label.txt',
    'AffectNet': 'AffectNet (by request from its authors): the image '
    'folders and training.csv / validation.csv',
    'AgeDB': 'AgeDB (by request from its authors): images named '
    '<id>_<name>_<age>_<gender>.jpg',
    'UTKFaceAges': 'UTKFace (susanqq.github.io/UTKFace): images named '
    '<age>_<gender>_<race>_<date>.jpg',
    'AUOccurrenceList': 'BP4D / DISFA (by request from their authors), '
    'converted to per-frame AU fold lists by tools/dataset_converters/'
    'au_lists.py (header `image AU1 AU2 ...`)',
    'LFWA': 'LFW images (lfw/<Name>/<Name>_0001.jpg) and the LFWA files of '
    "CelebA's authors: lfw_att_40.mat, indices_train_test.mat",
    'AFLW19': 'AFLW images (data/flickr/) by request from TU Graz and the '
    'AFLW-19 protocol file AFLWinfo_release.mat',
    'Face300W': '300-W (ibug.doc.ic.ac.uk/resources/300-W): the image '
    'folders with a .pts file beside each image',
    'WFLW': 'WFLW (wywu.github.io/projects/LAB/WFLW.html): WFLW_images/ and '
    'the WFLW_annotations lists',
    'FaceLandmarkList': 'images and a `path x0 y0 ... x67 y67` list (the '
    'synthetic demo faces have one; tools/dataset_converters/'
    'write_landmarks.py writes one for any folder)',
}


def iter_dataset_cfgs(cfg_node: Any, path: str = 'dataset'):
    """``(dotted path, dataset dict)`` of a dataloader's ``dataset`` and of
    every dataset it wraps (``dataset`` / ``datasets`` keys), depth first.

    Args:
        cfg_node (Any): A dataset config (anything else yields nothing).
        path (str): Dotted path of ``cfg_node``, for messages.

    Yields:
        tuple[str, Mapping]: Path and dataset config.

    Example:
        >>> cfg = dict(type='ConcatDataset', datasets=[dict(type='A')])
        >>> [p for p, _ in iter_dataset_cfgs(cfg)]
        ['dataset', 'dataset.datasets.0']
    """
    if isinstance(cfg_node, Mapping):
        yield path, cfg_node
        for key in ('dataset', 'datasets'):
            inner = cfg_node.get(key)
            if isinstance(inner, (list, tuple)):
                for i, item in enumerate(inner):
                    yield from iter_dataset_cfgs(item, f'{path}.{key}.{i}')
            elif inner is not None:
                yield from iter_dataset_cfgs(inner, f'{path}.{key}')


def check_data_roots(cfg: Any,
                     loaders: Sequence[str] = ('train_dataloader',
                                               'val_dataloader',
                                               'test_dataloader')) -> None:
    """Refuse dataloaders whose ``data_root`` folder does not exist.

    Args:
        cfg (Config | Mapping): The config (after ``--cfg-options``).
        loaders (Sequence[str]): The dataloaders to check (only those the
            run builds: ``tools/test.py`` checks the test loader alone).

    Raises:
        FileNotFoundError: Naming the loader, the dataset type, the folder
            as given and where it was looked for, and where the data comes
            from (:data:`DATA_HINTS`).
    """
    cfg = cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg
    for loader in loaders:
        node = cfg.get(loader)
        if not isinstance(node, Mapping):
            continue
        for path, dataset in iter_dataset_cfgs(node.get('dataset'),
                                       f'{loader}.dataset'):
            root = dataset.get('data_root')
            if not isinstance(root, str) or not root or osp.isdir(root):
                continue
            kind = str(dataset.get('type', 'the dataset'))
            hint = DATA_HINTS.get(kind.split('.')[-1])
            raise FileNotFoundError(
                f'{loader}: {kind} data_root {root!r} is not a folder '
                f'(looked for {osp.abspath(root)}). Put the data there or '
                f'point the config at it, e.g. --cfg-options '
                f'{path}.data_root=/path/to/data'
                + (f'. Where it comes from: {hint}.' if hint else '.'))
