"""Where a student / teacher ``cfg_path`` is found, and how configs ship."""
import os.path as osp

import pytest
from mmengine.config import Config

from fbp_mm.models.distillers import (config_candidates,
                                      resolve_network_cfg)
from fbp_mm.models.distillers import network_config
from fbp_mm.utils import config_paths

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO = 'fbp/resnet18-w16_1xb32-20e_demo-faces.py'


def expected_model(rel_path):
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', rel_path))
    return cfg.model.to_dict(), cfg.data_preprocessor.to_dict()


def test_fbp_mm_and_mmpretrain_names_resolve_from_any_directory(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model, preprocessor = expected_model(DEMO)
    resolved = resolve_network_cfg(dict(cfg_path=f'fbp_mm::{DEMO}'))
    assert resolved['backbone'] == model['backbone']
    assert resolved['head'] == model['head']
    assert resolved['data_preprocessor'] == preprocessor

    resolved = resolve_network_cfg(
        dict(cfg_path='mmpretrain::resnet/resnet18_8xb32_in1k.py'))
    assert resolved['backbone']['depth'] == 18
    assert resolved['data_preprocessor']['num_classes'] == 1000


def test_relative_cfg_path_falls_back_to_the_repository(tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    resolved = resolve_network_cfg(dict(cfg_path=f'configs/{DEMO}'))
    assert resolved['backbone'] == expected_model(DEMO)[0]['backbone']
    # The current directory comes first.
    (tmp_path / 'configs' / 'fbp').mkdir(parents=True)
    (tmp_path / 'configs' / DEMO).write_text(
        "model = dict(type='ImageClassifier', backbone=dict(type='Mine'))\n")
    assert resolve_network_cfg(
        dict(cfg_path=f'configs/{DEMO}'))['backbone'] == dict(type='Mine')


def test_missing_cfg_path_lists_what_was_tried(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as err:
        resolve_network_cfg(dict(cfg_path='configs/fbp/nope.py'))
    message = str(err.value)
    for path in config_candidates('configs/fbp/nope.py'):
        assert path in message
    assert str(tmp_path / 'configs' / 'fbp' / 'nope.py') in message
    assert '{{ fileDirname }}' in message and 'fbp_mm::' in message
    with pytest.raises(FileNotFoundError, match='nope.py'):
        resolve_network_cfg(dict(cfg_path='fbp_mm::fbp/nope.py'))
    with pytest.raises(ModuleNotFoundError, match='not installed'):
        resolve_network_cfg(dict(cfg_path='no_such_pkg_xyz::a/b.py'))


def test_file_dirname_names_a_file_beside_the_config(tmp_path, monkeypatch):
    (tmp_path / 'exp').mkdir()
    (tmp_path / 'exp' / 'teacher.py').write_text(
        "model = dict(type='ImageClassifier', backbone=dict(type='T'))\n")
    (tmp_path / 'exp' / 'kd.py').write_text(
        "teacher = dict(cfg_path='{{ fileDirname }}/teacher.py')\n")
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cfg = Config.fromfile(str(tmp_path / 'exp' / 'kd.py'))
    assert resolve_network_cfg(cfg.teacher)['backbone'] == dict(type='T')


@pytest.mark.parametrize('config', [
    'fbp/mae_ms_kd.py', 'fbp/mae_ms_kd_feature-only.py',
    'fbp/demo/mae_ms_kd_demo-faces.py'
])
def test_shipped_distiller_configs_find_their_teacher(config, tmp_path,
                                                       monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', config))
    teacher = cfg.model.teacher.cfg_path
    assert osp.isabs(teacher) and osp.isfile(teacher)
    assert resolve_network_cfg(cfg.model.teacher)['type'] == \
        'ImageClassifier'


def test_installed_package_configs_under_mim(tmp_path, monkeypatch):
    site = tmp_path / 'site'
    shipped = site / 'fbp_mm' / '.mim' / 'configs' / 'fbp'
    shipped.mkdir(parents=True)
    (shipped / 'x.py').write_text(
        "model = dict(type='ImageClassifier', backbone=dict(type='X'))\n")
    for module in (network_config, config_paths):
        monkeypatch.setattr(module, 'PACKAGE_DIR', str(site / 'fbp_mm'))
        monkeypatch.setattr(module, 'REPO_DIR', str(site))
    monkeypatch.chdir(tmp_path)
    for cfg_path in ('fbp_mm::fbp/x.py', 'configs/fbp/x.py'):
        resolved = resolve_network_cfg(dict(cfg_path=cfg_path))
        assert resolved['backbone'] == dict(type='X'), cfg_path
