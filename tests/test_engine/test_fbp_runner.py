"""FbpRunner loads real runner checkpoints; plain MMEngine still refuses."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner
from toy_runner import ToyData, ToyModel, toy_runner

import fbp_mm.engine.checkpoint_loading as loading
from fbp_mm.engine import CheckpointMismatchError, FbpRunner
from fbp_mm.utils import build_runner


@pytest.fixture(scope='module')
def straight(tmp_path_factory):
    """A plain MMEngine run of 2 epochs: epoch_1.pth, epoch_2.pth."""
    work_dir = tmp_path_factory.mktemp('straight')
    toy_runner(work_dir).train()
    return work_dir


@pytest.fixture
def load_modes(monkeypatch):
    """The weights_only argument of every torch.load call; fails the test
    on any full-load warning."""
    calls = []
    real_load = torch.load

    def spy_load(*args, **kwargs):
        calls.append(kwargs.get('weights_only'))
        return real_load(*args, **kwargs)

    def no_warning(msg, logger=None, level=None):
        raise AssertionError(f'unexpected warning: {msg}')

    monkeypatch.setattr(torch, 'load', spy_load)
    monkeypatch.setattr(loading, '_warn_full_load', no_warning)
    return calls


_torch_load = torch.load  # not spied on


def weights(path):
    return _torch_load(path, weights_only=False)['state_dict']


def test_resume_continues_exactly(straight, tmp_path, load_modes):
    runner = toy_runner(
        tmp_path,
        FbpRunner,
        resume=True,
        load_from=str(straight / 'epoch_1.pth'))
    runner.train()
    assert runner.epoch == 2 and runner.iter == 4
    assert load_modes == [True]  # read weights-only, allow-listed
    resumed = weights(tmp_path / 'epoch_2.pth')
    for key, value in weights(straight / 'epoch_2.pth').items():
        torch.testing.assert_close(resumed[key], value, msg=key)
    # Adam's step count went on from the checkpoint
    ckpt = _torch_load(tmp_path / 'epoch_2.pth', weights_only=False)
    assert ckpt['optimizer']['state'][0]['step'] == pytest.approx(4)


def test_plain_runner_still_refuses_to_resume(straight, tmp_path):
    runner = toy_runner(
        tmp_path, resume=True, load_from=str(straight / 'epoch_1.pth'))
    with pytest.raises(pickle.UnpicklingError):
        runner.train()


def test_load_from_then_test_uses_the_checkpoint(straight, tmp_path,
                                                 load_modes):
    ckpt = str(straight / 'epoch_2.pth')
    runner = toy_runner(tmp_path, FbpRunner, load_from=ckpt)
    runner.test()
    assert load_modes == [True]
    with open(tmp_path / 'preds.pkl', 'rb') as f:
        preds = np.array([float(p) for p in pickle.load(f)])
    state = weights(ckpt)
    inputs = torch.stack([ToyData()[i]['inputs'] for i in range(8)])
    expected = (inputs @ state['fc.weight'].T + state['fc.bias']).squeeze(-1)
    np.testing.assert_allclose(preds, expected.numpy(), rtol=1e-5)


def test_checkpoints_read_while_building_and_initialising(
        straight, tmp_path, load_modes):
    ckpt = str(straight / 'epoch_2.pth')
    state = weights(ckpt)
    # a model reading a checkpoint in __init__ (a distiller's teacher) ...
    runner = toy_runner(
        tmp_path / 'build',
        FbpRunner,
        model=dict(type='ToyCheckpointModel', read_ckpt=ckpt))
    torch.testing.assert_close(runner.model.fc.weight.detach(),
                               state['fc.weight'])
    with pytest.raises(pickle.UnpicklingError):
        toy_runner(
            tmp_path / 'plain',
            model=dict(type='ToyCheckpointModel', read_ckpt=ckpt))
    # ... and init_cfg=Pretrained, applied when training starts (lr=0 keeps
    # the loaded weights)
    runner = toy_runner(
        tmp_path / 'init',
        FbpRunner,
        model=ToyModel(init_cfg=dict(type='Pretrained', checkpoint=ckpt)),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.0)))
    runner.train()
    torch.testing.assert_close(runner.model.fc.weight.detach(),
                               state['fc.weight'])


def test_mismatching_checkpoint_is_refused_when_strict(tmp_path):
    ckpt = str(tmp_path / 'other.pth')
    torch.save(
        {'state_dict': {
            'module.fc.weight': torch.ones(1, 2),
            'head.weight': torch.ones(3)
        }}, ckpt)
    runner = toy_runner(
        tmp_path / 'strict', FbpRunner, load_from=ckpt, strict_load=True)
    with pytest.raises(CheckpointMismatchError) as err:
        runner.test()
    message = str(err.value)
    assert f'Checkpoint {ckpt} does not fit the model' in message
    assert '1 missing key (in the model, not in the checkpoint): fc.bias' \
        in message
    assert '1 unexpected key (in the checkpoint, not in the model): ' \
        'head.weight' in message
    assert '--allow-partial-load' in message

    # not strict (MMEngine's default): the matching weight is loaded
    runner = toy_runner(tmp_path / 'partial', FbpRunner, load_from=ckpt)
    assert runner.strict_load is False
    runner.test()
    torch.testing.assert_close(runner.model.fc.weight.detach(),
                               torch.ones(1, 2))


def test_strict_load_from_config_and_registry(straight, tmp_path):
    cfg = Config(
        dict(
            runner_type='FbpRunner',
            model=dict(type='ToyCheckpointModel'),
            work_dir=str(tmp_path),
            default_scope='mmpretrain',
            experiment_name='fbp_runner_from_registry',
            strict_load=True))
    # what MMPretrain's and mim's tools do with `runner_type`
    runner = RUNNERS.build(cfg)
    assert type(runner) is FbpRunner and runner.strict_load is True
    ckpt = runner.load_checkpoint(str(straight / 'epoch_2.pth'))
    assert ckpt['meta']['epoch'] == 2


def test_build_runner_picks_fbp_runner(tmp_path):
    cfg = Config(
        dict(
            model=dict(type='ToyCheckpointModel'),
            work_dir=str(tmp_path),
            default_scope='mmpretrain',
            experiment_name='fbp_runner_by_tool'))
    assert type(build_runner(cfg, 'none')) is FbpRunner
    cfg.runner_type = 'Runner'
    cfg.experiment_name = 'plain_runner_by_tool'
    assert type(build_runner(cfg, 'none')) is Runner
