"""Loading weights with a report of what did not fit."""
import logging

import pytest
import torch
import torch.nn as nn
from mmengine.model import BaseTTAModel
from toy_runner import ToyModel

import fbp_mm.engine.state_dict_loading as sdl
from fbp_mm.engine import (CheckpointMismatchError, StateDictMismatch,
                           load_state_dict_reporting, load_weights_into_model)


def net():
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1))


def filled(model, value):
    return {
        k: torch.full_like(v, value)
        for k, v in model.state_dict().items()
    }


def test_matching_checkpoint_with_ddp_prefix_loads_strictly():
    src = net()
    ckpt = {
        'state_dict': {f'module.{k}': v
                       for k, v in filled(src, 0.5).items()}
    }
    model = net()
    mismatch = load_weights_into_model(model, ckpt, 'a.pth', strict=True)
    assert not mismatch
    assert torch.all(model[2].weight == 0.5)
    assert model[1].running_var.eq(0.5).all()


def test_bn_counters_are_not_missing():
    model = net()
    state = {k: v for k, v in filled(model, 1.0).items()
             if not k.endswith('num_batches_tracked')}
    assert not load_state_dict_reporting(model, state)


def test_shape_mismatch_is_reported_not_raised():
    model = net()
    state = filled(model, 2.0)
    state['2.weight'] = torch.zeros(1, 5)
    mismatch = load_state_dict_reporting(model, state)
    assert mismatch.missing == [] and mismatch.unexpected == []
    assert len(mismatch.errors) == 1 and '2.weight' in mismatch.errors[0]
    # the rest was loaded, the mismatching tensor kept
    assert torch.all(model[0].weight == 2.0)
    assert not torch.all(model[2].weight == 0)


def test_load_hooks_of_the_model_are_honoured():

    class Renaming(nn.Module):
        """Accepts the old name 'w' for its weight, as some backbones do."""

        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(torch.zeros(2))
            self._register_load_state_dict_pre_hook(self._rename)

        def _rename(self, state_dict, prefix, *args):
            if prefix + 'w' in state_dict:
                state_dict[prefix + 'weight'] = state_dict.pop(prefix + 'w')

    model = nn.Sequential(Renaming())
    assert not load_state_dict_reporting(model, {'0.w': torch.ones(2)})
    assert torch.all(model[0].weight == 1)


class MeanTTA(BaseTTAModel):

    def merge_preds(self, data_samples_list):
        return data_samples_list[0]


def test_tta_wrapper_is_looked_through():
    model = MeanTTA(module=ToyModel())
    assert not load_state_dict_reporting(model, filled(ToyModel(), 1.0))
    assert torch.all(model.module.fc.weight == 1)


def test_error_names_file_first_keys_and_counts():
    model = nn.Sequential(*[nn.Linear(1, 1) for _ in range(4)])
    ckpt = {f'other.{i}': torch.zeros(1) for i in range(7)}
    with pytest.raises(CheckpointMismatchError) as err:
        load_weights_into_model(
            model, ckpt, 'work/x.pth', strict=True, hint='Use --flag.')
    assert str(err.value) == (
        'Checkpoint work/x.pth does not fit the model: 8 missing keys (in '
        'the model, not in the checkpoint): 0.weight, 0.bias, 1.weight, '
        '1.bias, 2.weight, ... (3 more); 7 unexpected keys (in the '
        'checkpoint, not in the model): other.0, other.1, other.2, '
        'other.3, other.4, ... (2 more). Use --flag.')


def test_partial_load_warns_with_the_keys(monkeypatch):
    logged = []
    monkeypatch.setattr(
        sdl, 'print_log',
        lambda msg, logger=None, level=logging.INFO: logged.append(
            (level, msg)))
    model = nn.Linear(2, 1)
    mismatch = load_weights_into_model(
        model, {'weight': torch.ones(1, 2)}, 'b.pth', strict=False)
    assert mismatch == StateDictMismatch(missing=['bias'])
    assert torch.all(model.weight == 1)
    assert logged == [(logging.WARNING,
                       'Checkpoint b.pth does not fit the model: 1 missing '
                       'key (in the model, not in the checkpoint): bias. '
                       'Only the weights that fit were loaded.')]
