"""The teacher's weights: picking them out of a checkpoint, and the errors
a distiller raises when its teacher checkpoint is missing."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch


def select_prefixed_state_dict(state_dict: Dict[str, torch.Tensor],
                               prefix: str) -> Dict[str, torch.Tensor]:
    """Keep the weights under ``prefix``, with the prefix removed.

    A ``module.`` prefix left by distributed wrappers is dropped first, so
    ``module.student.head.w`` counts as ``student.head.w``.

    Args:
        state_dict (dict): A state dict.
        prefix (str): E.g. ``'student.'``; ``''`` keeps every key.

    Returns:
        OrderedDict: The selected weights; empty when no key matches.

    Example:
        >>> select_prefixed_state_dict(
        ...     {'module.student.w': 1, 'teacher.w': 2}, 'student.')
        OrderedDict([('w', 1)])
    """
    selected = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('module.'):
            key = key[len('module.'):]
        if key.startswith(prefix):
            selected[key[len(prefix):]] = value
    return selected


def select_teacher_state_dict(state_dict: Dict[str, torch.Tensor],
                              prefix: Optional[str] = None
                              ) -> Tuple[Dict[str, torch.Tensor], str]:
    """Pick the teacher's weights out of a checkpoint's state dict.

    A ``module.`` prefix left by distributed wrappers is dropped first.
    With ``prefix`` given, the keys starting with it are kept (prefix
    removed). Otherwise the layout is detected: keys of a plain classifier
    (``backbone.``, ``neck.``, ``head.``...) are used as they are; a
    distiller checkpoint (``student.`` / ``teacher.`` keys) gives its
    ``teacher.`` weights, or, without any, its ``student.`` weights (a
    distilled student becoming the next teacher).

    Args:
        state_dict (dict): The checkpoint's state dict.
        prefix (str, optional): Prefix to select explicitly, e.g.
            ``'student.'``. Defaults to None (detect).

    Returns:
        tuple[dict, str]: The selected weights and the prefix removed.

    Example:
        >>> weights, prefix = select_teacher_state_dict(
        ...     {'student.w': 1, 'teacher.w': 2})
        >>> dict(weights), prefix
        ({'w': 2}, 'teacher.')
    """
    if prefix is None:
        roots = {
            k[len('module.'):].split('.', 1)[0]
            if k.startswith('module.') else k.split('.', 1)[0]
            for k in state_dict
        }
        if roots <= {'student', 'teacher', 'connectors', 'distill_losses'}:
            prefix = 'teacher.' if 'teacher' in roots else 'student.'
        else:
            prefix = ''
    selected = select_prefixed_state_dict(state_dict, prefix)
    if not selected:
        raise KeyError(f'The teacher checkpoint has no keys starting with '
                       f'{prefix!r}.')
    return selected, prefix


class TeacherCheckpointError(Exception):
    """A distiller's teacher checkpoint is not configured or not found.

    Its message says what is wrong and how to fix it, so a tool may print
    the message alone instead of the traceback.
    """


class NoTeacherCheckpointError(TeacherCheckpointError, ValueError):
    """``teacher_ckpt`` is None and ``teacher_ckpt_optional`` is False."""


class TeacherCheckpointNotFoundError(TeacherCheckpointError,
                                     FileNotFoundError):
    """The file named by ``teacher_ckpt`` does not exist."""


def no_teacher_ckpt_message(hint: Optional[str]) -> str:
    return (
        'TeacherStudentDistiller: model.teacher_ckpt is not set, so the '
        'teacher would only have the weights of its own init_cfg. Pass the '
        'trained teacher with `--cfg-options model.teacher_ckpt=PATH`, or '
        'set model.teacher_ckpt_optional=True to distil from the init_cfg '
        'weights (e.g. Pretrained from a model zoo).' +
        (f' {hint}' if hint else ''))


def check_teacher_ckpt_exists(filename: str, hint: Optional[str]) -> None:
    """Raise :class:`TeacherCheckpointNotFoundError` for a missing file."""
    if '://' in filename:  # URLs and other MMEngine schemes
        return
    path = osp.expanduser(filename)
    if osp.isfile(path):
        return
    where = '' if osp.isabs(path) else f' (looked for {osp.abspath(path)})'
    raise TeacherCheckpointNotFoundError(
        f'TeacherStudentDistiller: the teacher checkpoint {filename} '
        f'(model.teacher_ckpt) does not exist{where}. Pass an existing one '
        'with `--cfg-options model.teacher_ckpt=PATH`.' +
        (f' {hint}' if hint else ''))
