"""Trusted checkpoint loading: scoped to a context, weights-only first."""
import fractions
import json
import logging
import os.path as osp
import pickle
import subprocess
import sys
import threading

import pytest
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner import load_checkpoint
from mmengine.runner.checkpoint import CheckpointLoader, load_from_local
from toy_runner import ToyModel, toy_runner

import fbp_mm.engine.checkpoint_loading as loading
from fbp_mm.engine import (load_from_local_trusted, load_trusted_checkpoint,
                           trusted_checkpoint_loading)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def runner_ckpt(tmp_path_factory):
    """epoch_2.pth of a real (tiny) MMEngine training run."""
    work_dir = tmp_path_factory.mktemp('toy_run')
    toy_runner(work_dir).train()
    return str(work_dir / 'epoch_2.pth')


@pytest.fixture
def loads(monkeypatch):
    """Record the weights_only argument of every torch.load call and every
    warning of the loader."""
    calls, warnings = [], []
    real_load = torch.load

    def spy_load(*args, **kwargs):
        calls.append(kwargs.get('weights_only'))
        return real_load(*args, **kwargs)

    def spy_log(msg, logger=None, level=logging.INFO):
        if level == logging.WARNING:
            warnings.append(msg)

    monkeypatch.setattr(torch, 'load', spy_load)
    monkeypatch.setattr(loading, 'print_log', spy_log)
    monkeypatch.setattr(loading, '_warned_files', set())
    return calls, warnings


def test_importing_fbp_mm_changes_no_loader():
    code = '''
import json
import torch
from mmengine.runner.checkpoint import CheckpointLoader

def state():
    # torch adds its own types (DTensor...) when its submodules load
    safe = [g for g in torch.serialization.get_safe_globals()
            if not getattr(g, '__module__', '').startswith('torch')]
    return dict(load=id(torch.load),
                schemes=[(k, id(v))
                         for k, v in CheckpointLoader._schemes.items()],
                local=CheckpointLoader._schemes[''].__qualname__,
                safe=sorted(map(str, safe)))

before = state()
import fbp_mm  # noqa: F401
print(json.dumps(dict(before=before, after=state())))
'''
    proc = subprocess.run([sys.executable, '-c', code],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True,
                          timeout=300,
                          env=dict(
                              __import__('os').environ,
                              PYTHONPATH=REPO_ROOT,
                              OMP_NUM_THREADS='1'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result['before']['local'] == 'load_from_local'
    assert result['after'] == result['before']


def test_runner_checkpoint_is_refused_outside_the_context(runner_ckpt):
    with trusted_checkpoint_loading():
        CheckpointLoader.load_checkpoint(runner_ckpt, map_location='cpu')
    # after the context, MMEngine and torch are as strict as before
    assert CheckpointLoader._schemes[''] is load_from_local
    with pytest.raises(pickle.UnpicklingError):
        torch.load(runner_ckpt)
    with pytest.raises(pickle.UnpicklingError):
        CheckpointLoader.load_checkpoint(runner_ckpt, map_location='cpu')
    with pytest.raises(pickle.UnpicklingError):
        load_checkpoint(ToyModel(), runner_ckpt, map_location='cpu')


def test_runner_checkpoint_loads_weights_only(runner_ckpt, loads):
    calls, warnings = loads
    ckpt = load_trusted_checkpoint(runner_ckpt, map_location='cpu')
    # the allow-list covers everything MMEngine's runner writes
    assert calls == [True]
    assert warnings == []
    assert ckpt['meta']['epoch'] == 2
    lr = ckpt['message_hub']['log_scalars']['train/lr']
    assert isinstance(lr, HistoryBuffer)
    assert float(lr.mean()) == pytest.approx(0.01)
    assert float(lr.current()) == pytest.approx(0.01)
    assert set(ckpt['state_dict']) == {'fc.weight', 'fc.bias'}


def test_state_dict_file_loads_weights_only_without_warning(tmp_path, loads):
    calls, warnings = loads
    model = ToyModel()
    path = str(tmp_path / 'weights.pth')
    torch.save({'state_dict': model.state_dict()}, path)
    ckpt = load_trusted_checkpoint(path, map_location='cpu')
    assert calls == [True]
    assert warnings == []
    torch.testing.assert_close(ckpt['state_dict']['fc.weight'],
                               model.fc.weight.detach())


def test_other_python_objects_load_in_full_with_one_warning(tmp_path, loads):
    calls, warnings = loads
    path = str(tmp_path / 'odd.pth')
    torch.save({'state_dict': {}, 'ratio': fractions.Fraction(1, 3)}, path)
    for _ in range(2):
        ckpt = load_from_local_trusted(path, map_location='cpu')
        assert ckpt['ratio'] == fractions.Fraction(1, 3)
    assert calls == [True, False, True, False]
    assert len(warnings) == 1  # once per file
    assert path in warnings[0]
    assert 'fractions.Fraction' in warnings[0]
    assert 'loaded in full' in warnings[0]
    assert 'trusted' in warnings[0]


class _PickledGetattr:
    """Pickles as ``getattr(HistoryBuffer, 'update')``."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, 'update')


def test_getattr_is_allowed_only_for_history_buffer_statistics(
        tmp_path, loads):
    calls, warnings = loads
    path = str(tmp_path / 'getattr.pth')
    torch.save({'f': _PickledGetattr()}, path)
    ckpt = load_from_local_trusted(path)
    assert ckpt['f'] is HistoryBuffer.update
    assert calls == [True, False]  # refused weights-only
    assert 'getattr' in warnings[0] and "'update'" in warnings[0]


def test_user_safe_globals_are_kept(runner_ckpt):
    initial = set(torch.serialization.get_safe_globals())
    with torch.serialization.safe_globals([HistoryBuffer]):
        load_trusted_checkpoint(runner_ckpt, map_location='cpu')
        # our allow-list was added and removed around the load; the user's
        # own entry (one of ours too) is still there
        assert set(torch.serialization.get_safe_globals()) == \
            initial | {HistoryBuffer}
    load_trusted_checkpoint(runner_ckpt, map_location='cpu')
    assert set(torch.serialization.get_safe_globals()) == initial


def test_context_is_reentrant_and_restores_on_error():
    original = CheckpointLoader._schemes['']
    with pytest.raises(ValueError, match='boom'):
        with trusted_checkpoint_loading():
            with trusted_checkpoint_loading():
                assert CheckpointLoader._schemes[''] is \
                    load_from_local_trusted
            assert CheckpointLoader._schemes[''] is load_from_local_trusted
            raise ValueError('boom')
    assert CheckpointLoader._schemes[''] is original
    # the lookup order is untouched: '' (any path) comes last
    assert list(CheckpointLoader._schemes)[-1] == ''


def test_loader_registered_inside_the_context_is_kept():
    original = CheckpointLoader._schemes['']

    def load_from_elsewhere(filename, map_location=None):
        return {}

    try:
        with trusted_checkpoint_loading():
            CheckpointLoader.register_scheme(
                '', loader=load_from_elsewhere, force=True)
        assert CheckpointLoader._schemes[''] is load_from_elsewhere
    finally:
        CheckpointLoader.register_scheme('', loader=original, force=True)


def test_context_from_several_threads_restores_the_loader():
    original = CheckpointLoader._schemes['']
    inside = threading.Barrier(4)
    seen = []

    def work():
        with trusted_checkpoint_loading():
            inside.wait(timeout=10)
            seen.append(CheckpointLoader._schemes[''])
            inside.wait(timeout=10)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert seen == [load_from_local_trusted] * 4
    assert CheckpointLoader._schemes[''] is original


def test_missing_checkpoint_names_path(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing.pth'):
        load_trusted_checkpoint(str(tmp_path / 'nothing.pth'))
