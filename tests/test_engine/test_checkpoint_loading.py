import pickle

import pytest
import torch
import torch.nn as nn
from mmengine.config import ConfigDict
from mmengine.logging import MessageHub
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader

import fbp_mm  # noqa: F401


def full_checkpoint(path):
    """A checkpoint holding Python objects, as MMEngine's runner writes."""
    model = nn.Linear(3, 2)
    hub = MessageHub.get_instance('ckpt-test')
    hub.update_scalar('train/loss', 0.5)
    ckpt = dict(
        meta=dict(cfg=ConfigDict(a=1), epoch=3),
        state_dict=model.state_dict(),
        message_hub=hub.state_dict())
    torch.save(ckpt, path)
    return model


def test_plain_torch_load_still_refuses_python_objects(tmp_path):
    path = str(tmp_path / 'full.pth')
    full_checkpoint(path)
    # fbp_mm does not change torch.load for everyone ...
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_mmengine_loads_full_checkpoints(tmp_path):
    path = str(tmp_path / 'full.pth')
    saved = full_checkpoint(path)
    # ... only MMEngine's loading of local checkpoint files.
    ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['epoch'] == 3
    model = nn.Linear(3, 2)
    load_checkpoint(model, path, map_location='cpu')
    assert torch.equal(model.weight, saved.weight)


def test_missing_checkpoint_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'nothing.pth'))
