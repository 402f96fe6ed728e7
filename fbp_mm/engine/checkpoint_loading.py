"""Make MMEngine load its own checkpoints on PyTorch >= 2.6.

MMEngine 0.10.x reads local checkpoints with ``torch.load(filename)``. Since
PyTorch 2.6 that call defaults to ``weights_only=True``, which refuses the
message hub, the config history and other Python objects that MMEngine
itself writes into every checkpoint, so ``--resume``, ``load_from`` and
``init_cfg=dict(type='Pretrained', ...)`` all fail. Allow-listing those
objects is not an option: a full checkpoint needs ``builtins.getattr``,
which makes the safety check pointless.

fbp_mm therefore treats checkpoints as trusted files, like any Python file
you run: importing :mod:`fbp_mm` replaces the loader that MMEngine's
:class:`~mmengine.runner.CheckpointLoader` uses for local paths with one that
passes ``weights_only=False``. Nothing else is changed: ``torch.load`` keeps
its safe default everywhere outside MMEngine's checkpoint loading. Only load
checkpoints you trust.
"""
import os.path as osp
from typing import Optional, Union

import torch
from mmengine.runner.checkpoint import CheckpointLoader


# MMEngine logs the loader's name after its first 10 characters
# ('load_from_'), so this name reads 'local_trusted' in the log.
def load_from_local_trusted(
        filename: str,
        map_location: Optional[Union[str, torch.device]] = None) -> dict:
    """Load a local checkpoint file written by MMEngine or PyTorch.

    Args:
        filename (str): Path to the checkpoint; ``~`` is expanded.
        map_location (str | torch.device, optional): Same as
            :func:`torch.load`. Defaults to None.

    Returns:
        dict: The loaded checkpoint.

    Raises:
        FileNotFoundError: When ``filename`` is not a file.

    Example:
        >>> import fbp_mm  # registers this loader with MMEngine
        >>> from mmengine.runner import load_checkpoint
        >>> # load_checkpoint(model, 'work_dirs/demo/epoch_10.pth')
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    # Checkpoints are trusted files: they hold MMEngine's own Python objects
    # (message hub, config), which the weights-only unpickler refuses.
    return torch.load(filename, map_location=map_location, weights_only=False)


# The empty prefix is MMEngine's scheme for local paths.
CheckpointLoader.register_scheme(
    prefixes='', loader=load_from_local_trusted, force=True)
