"""load_config: the config Config.fromfile reads, with each package::path
base looked up once per process, and MMEngine left as it was."""
import os.path as osp

import mmengine.config.config as mmengine_config
import pytest
from mmengine.config import Config

from fbp_mm.utils import config_loading
from fbp_mm.utils.config_loading import (load_config,
                                         package_bases_looked_up_once)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RUNTIME = 'mmpretrain::_base_/default_runtime.py'
# one that names MMPretrain's runtime itself, one that inherits it three
# files down, and a distiller
CONFIGS = [
    'configs/fbp/resnet18-w16_1xb32-20e_demo-faces.py',
    'configs/fbp/demo/mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    'configs/fbp/mae_ms_kd.py',
]


@pytest.fixture
def lookups(monkeypatch):
    """A fresh memory, and the names MMEngine's metafile lookup is asked
    for."""
    monkeypatch.setattr(config_loading, '_RESOLVED', {})
    asked = []
    original = mmengine_config._get_external_cfg_path

    def counting(package_path, cfg_file):
        asked.append(cfg_file)
        return original(package_path, cfg_file)

    monkeypatch.setattr(mmengine_config, '_get_external_cfg_path', counting)
    return asked


@pytest.mark.parametrize('name', CONFIGS)
def test_same_config_as_mmengine_reads(name):
    path = osp.join(REPO_ROOT, name)
    ours, theirs = load_config(path), Config.fromfile(path)
    assert ours.to_dict() == theirs.to_dict()
    assert ours.filename == theirs.filename
    assert ours.pretty_text == theirs.pretty_text


def test_each_package_base_is_looked_up_once(lookups):
    path = osp.join(REPO_ROOT, CONFIGS[0])
    load_config(path)
    assert lookups == ['_base_/default_runtime.py']
    load_config(path)
    load_config(osp.join(REPO_ROOT, CONFIGS[1]))
    assert lookups == ['_base_/default_runtime.py']
    assert config_loading._RESOLVED[RUNTIME] == (osp.join(
        mmengine_config.get_installed_path('mmpretrain'), '.mim', 'configs',
        '_base_', 'default_runtime.py'), 'mmpretrain')
    # stock MMEngine outside load_config: every load asks again
    Config.fromfile(path)
    Config.fromfile(path)
    assert len(lookups) == 3


def test_overrides_are_merged():
    cfg = load_config(osp.join(REPO_ROOT, CONFIGS[0]),
                      dict(train_cfg=dict(max_epochs=3)))
    assert cfg.train_cfg.max_epochs == 3
    assert cfg.train_cfg.val_interval == 5  # the file's own, kept


def test_mmengine_is_restored_after_use_nesting_and_errors(tmp_path):
    mmengine_own = Config.__dict__['_get_cfg_path']
    with package_bases_looked_up_once():
        swapped = Config.__dict__['_get_cfg_path']
        assert swapped is not mmengine_own
        with package_bases_looked_up_once():
            assert Config.__dict__['_get_cfg_path'] is swapped
        assert Config.__dict__['_get_cfg_path'] is swapped
    assert Config.__dict__['_get_cfg_path'] is mmengine_own
    bad = tmp_path / 'bad.py'
    bad.write_text("_base_ = ['no_such_package_here::x/y.py']\n")
    for _ in range(2):  # a failed lookup is not remembered
        with pytest.raises(AssertionError,
                           match='not support to load no_such_package_here'):
            load_config(str(bad))
    assert 'no_such_package_here::x/y.py' not in config_loading._RESOLVED
    assert Config.__dict__['_get_cfg_path'] is mmengine_own


def test_missing_base_of_an_installed_package_is_the_error_mmengine_gives(
        tmp_path, lookups):
    bad = tmp_path / 'bad.py'
    bad.write_text("_base_ = ['mmpretrain::_base_/no_such_runtime.py']\n")
    with pytest.raises(FileNotFoundError) as theirs:
        Config.fromfile(str(bad))
    for _ in range(2):
        with pytest.raises(FileNotFoundError) as ours:
            load_config(str(bad))
        assert str(ours.value) == str(theirs.value)
    assert lookups == ['_base_/no_such_runtime.py'] * 3


def test_a_remembered_file_that_is_gone_is_looked_up_again(lookups,
                                                          tmp_path):
    config_loading._RESOLVED[RUNTIME] = (str(tmp_path / 'gone.py'),
                                         'mmpretrain')
    cfg = load_config(osp.join(REPO_ROOT, CONFIGS[0]))
    assert cfg.default_scope == 'mmpretrain'
    assert lookups == ['_base_/default_runtime.py']
    assert osp.isfile(config_loading._RESOLVED[RUNTIME][0])

