"""Copy checkpoint weights into a model and say exactly what did not fit.

MMEngine's runner loads ``load_from`` non-strictly: a checkpoint of another
model only prints a warning and the run goes on with mostly random weights.
:func:`load_weights_into_model` loads the same way (key renames such as the
``module.`` prefix of DDP, the model's own load hooks) but collects the keys
that did not fit, so that a caller can refuse the checkpoint with an error
that names them and the file, or allow it with one clear warning.
"""
import logging
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseTTAModel, is_model_wrapper
from torch.nn.modules.module import _IncompatibleKeys

# Keys shown per kind in a message; the rest are counted.
SHOWN_KEYS = 5

# MMEngine's default renaming of checkpoint keys: drop DDP's prefix.
DEFAULT_REVISE_KEYS: Sequence[Tuple[str, str]] = ((r'^module\.', ''), )


class CheckpointMismatchError(RuntimeError):
    """A checkpoint's weights do not fit the model they are loaded into."""


def _shown(items: List[str], limit: int) -> str:
    text = ', '.join(items[:limit])
    if len(items) > limit:
        text += f', ... ({len(items) - limit} more)'
    return text


@dataclass
class StateDictMismatch:
    """What did not fit when a state dict was loaded into a model.

    Args:
        missing (list[str]): Model keys the checkpoint lacks (BN
            ``num_batches_tracked`` counters are not counted).
        unexpected (list[str]): Checkpoint keys the model lacks.
        errors (list[str]): Other errors reported by the modules, mostly
            shape mismatches.
    """
    missing: List[str] = field(default_factory=list)
    unexpected: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.errors)

    def describe(self, filename: str, limit: int = SHOWN_KEYS) -> str:
        """One message naming the file and the first ``limit`` keys of each
        kind, with their counts.

        Args:
            filename (str): The checkpoint, named in the message.
            limit (int): Keys shown per kind. Defaults to 5.

        Returns:
            str: The message.

        Example:
            >>> StateDictMismatch(missing=['fc.bias']).describe('a.pth')
            'Checkpoint a.pth does not fit the model: 1 missing key (in the \
model, not in the checkpoint): fc.bias.'
        """
        parts = []
        if self.missing:
            parts.append(f'{len(self.missing)} missing '
                         f'key{"s" if len(self.missing) > 1 else ""} (in the '
                         'model, not in the checkpoint): '
                         f'{_shown(self.missing, limit)}')
        if self.unexpected:
            parts.append(f'{len(self.unexpected)} unexpected '
                         f'key{"s" if len(self.unexpected) > 1 else ""} (in '
                         'the checkpoint, not in the model): '
                         f'{_shown(self.unexpected, limit)}')
        if self.errors:
            errors = [' '.join(e.split()) for e in self.errors]
            parts.append(f'{len(errors)} '
                         f'error{"s" if len(errors) > 1 else ""} '
                         f'(mostly shape mismatches): {_shown(errors, limit)}')
        return (f'Checkpoint {filename} does not fit the model: ' +
                '; '.join(parts) + '.')


def _unwrap(module: nn.Module) -> nn.Module:
    while is_model_wrapper(module) or isinstance(module, BaseTTAModel):
        module = module.module
    return module


def load_state_dict_reporting(module: nn.Module,
                              state_dict: Dict) -> StateDictMismatch:
    """Copy the weights that fit into ``module`` and report the rest.

    Loads like ``module.load_state_dict(state_dict, strict=False)`` (every
    submodule's ``_load_from_state_dict`` with its pre- and post-hooks), but
    a shape mismatch is reported instead of raised, and model wrappers (DDP,
    test-time augmentation) met on the way are looked through, as MMEngine
    does.

    Args:
        module (nn.Module): The model.
        state_dict (dict): Weights by key (an ``OrderedDict`` may carry
            ``_metadata``).

    Returns:
        StateDictMismatch: What did not fit; falsy when everything did.

    Example:
        >>> import torch
        >>> mismatch = load_state_dict_reporting(nn.Linear(2, 1),
        ...                                      {'weight': torch.ones(1, 2)})
        >>> mismatch.missing
        ['bias']
    """
    metadata = getattr(state_dict, '_metadata', None)
    state_dict = OrderedDict(state_dict)  # the hooks may edit it
    if metadata is not None:
        state_dict._metadata = metadata
    missing: List[str] = []
    unexpected: List[str] = []
    errors: List[str] = []

    def visit(mod: nn.Module, prefix: str) -> None:
        mod = _unwrap(mod)
        local_metadata = {} if metadata is None else metadata.get(
            prefix[:-1], {})
        # strict=True lets each module list the unexpected keys under it
        mod._load_from_state_dict(state_dict, prefix, local_metadata, True,
                                  missing, unexpected, errors)
        for name, child in mod._modules.items():
            if child is not None:
                visit(child, f'{prefix}{name}.')
        incompatible = _IncompatibleKeys(missing, unexpected)
        for hook in getattr(mod, '_load_state_dict_post_hooks', {}).values():
            hook(mod, incompatible)

    order = {key: i for i, key in enumerate(state_dict)}
    visit(module, '')
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    # list unexpected keys as the checkpoint has them, not by module depth
    unexpected = sorted(
        dict.fromkeys(unexpected), key=lambda k: order.get(k, len(order)))
    return StateDictMismatch(missing, unexpected, errors)


def load_weights_into_model(
        model: nn.Module,
        checkpoint: Dict,
        filename: str,
        strict: bool = False,
        revise_keys: Sequence[Tuple[str, str]] = DEFAULT_REVISE_KEYS,
        hint: str = '') -> StateDictMismatch:
    """Load a checkpoint's weights into a model, refusing or warning about
    keys that do not fit.

    Args:
        model (nn.Module): The model (a wrapper is looked through).
        checkpoint (dict): The loaded checkpoint: a dict with
            ``state_dict``, or a state dict itself.
        filename (str): Where it came from, for the messages.
        strict (bool): Raise :class:`CheckpointMismatchError` when anything
            does not fit; otherwise log a warning with the keys. Defaults to
            False.
        revise_keys (sequence[tuple[str, str]]): ``(pattern, replacement)``
            regular-expression renames applied to the checkpoint keys first.
            Defaults to dropping a leading ``module.`` (DDP).
        hint (str): Appended to the error: how to allow a partial load.

    Returns:
        StateDictMismatch: What did not fit (empty when all did).

    Raises:
        CheckpointMismatchError: When ``strict`` and the weights do not fit.

    Example:
        >>> import torch
        >>> model = nn.Linear(2, 1)
        >>> ckpt = dict(state_dict={'module.weight': torch.ones(1, 2),
        ...                         'module.bias': torch.zeros(1)})
        >>> load_weights_into_model(model, ckpt, 'epoch_12.pth', strict=True)
        StateDictMismatch(missing=[], unexpected=[], errors=[])
        >>> del ckpt['state_dict']['module.bias']
        >>> load_weights_into_model(model, ckpt, 'epoch_12.pth', strict=True)
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        fbp_mm.engine.state_dict_loading.CheckpointMismatchError: ...: bias.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    metadata = getattr(state_dict, '_metadata', None)
    for pattern, replacement in revise_keys:
        state_dict = OrderedDict(
            (re.sub(pattern, replacement, k), v)
            for k, v in state_dict.items())
    if metadata is not None:
        state_dict._metadata = metadata
    mismatch = load_state_dict_reporting(model, state_dict)
    if mismatch:
        message = mismatch.describe(filename)
        if strict:
            raise CheckpointMismatchError(
                message + (f' {hint}' if hint else ''))
        print_log(
            message + ' Only the weights that fit were loaded.',
            logger='current',
            level=logging.WARNING)
    return mismatch
