"""The runner's config is formatted once per content, not at every log,
dump and checkpoint; the text is MMEngine's."""
import copy
import glob
import os.path as osp

import mmengine.config.config as mmengine_config
import pytest
from mmengine.config import Config
from toy_runner import ToyModel  # noqa: F401  (registers ToyCheckpointModel)

from fbp_mm.engine import CachedTextConfig, FbpRunner
from fbp_mm.utils import load_config

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'fbp',
                  'resnet18-w16_1xb32-20e_demo-faces.py')


@pytest.fixture
def format_calls(monkeypatch):
    """Counts yapf formatting calls made by MMEngine's pretty_text."""
    calls = []
    original = mmengine_config.FormatCode

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(mmengine_config, 'FormatCode', counting)
    return calls


def test_text_is_mmengines_and_made_once_per_content(format_calls):
    plain = load_config(CONFIG)
    expected = plain.pretty_text
    cached = CachedTextConfig.from_config(load_config(CONFIG))
    format_calls.clear()
    assert cached.pretty_text == expected
    assert cached.pretty_text == expected
    assert len(format_calls) == 1
    assert cached.filename == plain.filename and cached.model == plain.model
    assert CachedTextConfig.from_config(cached) is cached

    cached.train_cfg.max_epochs = 3  # a change shows in the next text
    plain.train_cfg.max_epochs = 3
    assert cached.pretty_text == plain.pretty_text != expected
    assert 'max_epochs=3' in cached.pretty_text

    copied = copy.deepcopy(cached)  # as Runner copies its cfg
    assert type(copied) is CachedTextConfig
    copied.train_cfg.max_epochs = 5
    assert 'max_epochs=5' in copied.pretty_text
    assert 'max_epochs=3' in cached.pretty_text


def test_runner_formats_its_config_once(tmp_path, format_calls):
    cfg = Config(dict(
        model=dict(type='ToyCheckpointModel'), work_dir=str(tmp_path),
        default_scope='mmpretrain', experiment_name='config_text_once'))
    runner = FbpRunner.from_cfg(cfg)  # logs and dumps the config
    assert type(runner.cfg) is CachedTextConfig
    assert len(format_calls) == 1
    # what RuntimeInfoHook and every checkpoint's meta then read
    assert runner.cfg.pretty_text == Config(cfg.to_dict()).pretty_text
    assert len(format_calls) == 2  # the second one is the plain Config's
    dumped, = glob.glob(str(tmp_path / '*' / 'vis_data' / 'config.py'))
    with open(dumped) as f:
        assert f.read() == runner.cfg.pretty_text
