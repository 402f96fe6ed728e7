"""The model zoo: model-index.yml, metafiles, fbp_mm:: configs, installs."""
import glob
import os.path as osp
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest
import torch
import yaml

from fbp_mm.apis import FaceScoreInferencer, list_fbp_mm_models
from fbp_mm.utils import load_config
from fbp_mm.utils.complexity import build_model_for_analysis, count_parameters
from fbp_mm.utils.config_paths import resolve_package_config

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FAMILIES = ('fbp', 'fiqa', 'pros', 'face_prior')


def metafile_models(family: str) -> list:
    with open(osp.join(REPO_ROOT, 'configs', family, 'metafile.yml')) as f:
        return yaml.safe_load(f)['Models']


def trainable_configs(family: str) -> set:
    """Every model config of a family (recipes and _base_ are not)."""
    folder = osp.join(REPO_ROOT, 'configs', family)
    files = glob.glob(osp.join(folder, '*.py')) + glob.glob(
        osp.join(folder, 'demo', '*.py'))
    return {osp.relpath(f, REPO_ROOT) for f in files}


def test_index_imports_every_family_metafile():
    with open(osp.join(REPO_ROOT, 'model-index.yml')) as f:
        index = yaml.safe_load(f)
    assert index['Import'] == [
        f'configs/{family}/metafile.yml' for family in FAMILIES
    ]


@pytest.mark.parametrize('family', FAMILIES)
def test_metafile_lists_each_config_of_its_family_once(family):
    models = metafile_models(family)
    listed = [m['Config'] for m in models]
    assert sorted(listed) == sorted(trainable_configs(family))
    for model in models:
        assert model['In Collection']
        assert model['Weights'] is None  # no trained weights are released
        readme = osp.join(REPO_ROOT, 'configs', family, 'README.md')
        assert osp.isfile(readme)
        # every config is in its folder's README table
        with open(readme) as f:
            assert osp.basename(model['Config']) in f.read()


def test_model_names_are_unique_across_families():
    names = list_fbp_mm_models()
    assert len(names) == len(set(n.lower() for n in names))
    assert len(names) == sum(len(metafile_models(f)) for f in FAMILIES)
    assert list_fbp_mm_models('*fiqa-demo-64px_teacher*') == [
        'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher',
        'resnet18-w16_1xb32-12e_fiqa-demo-64px_teacher-plus',
    ]


@pytest.mark.parametrize('config', [
    'configs/fbp/demo/ms-mae_vit-tiny-p8_ft-1xb32-20e_demo-faces.py',
    'configs/fiqa/demo/edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student.py',
    'configs/pros/demo/pros_vit-tiny-p8_1xb64-8e_demo-faces.py',
])
def test_metafile_parameters_are_the_built_models(config):
    family = config.split('/')[1]
    entry, = [m for m in metafile_models(family) if m['Config'] == config]
    model = build_model_for_analysis(osp.join(REPO_ROOT, config))
    assert entry['Metadata']['Parameters'] == count_parameters(model)


def test_inferencer_takes_a_model_zoo_name_and_an_fbp_mm_path():
    name = 'resnet18-w16_1xb32-20e_demo-faces'
    config = osp.join(REPO_ROOT, 'configs', 'fbp', f'{name}.py')
    scores = []
    for model in (name, f'fbp_mm::fbp/{name}.py', config):
        torch.manual_seed(0)
        inferencer = FaceScoreInferencer(model, detect=False)
        assert osp.realpath(inferencer.config.filename) == osp.realpath(config)
        scores.append(inferencer.score_samples(
            [inferencer.whole_image_sample(_gray_image())])[0])
    assert scores[0] == pytest.approx(scores[1]) == pytest.approx(scores[2])


def _gray_image():
    import numpy as np
    return np.full((64, 64, 3), 128, dtype=np.uint8)


def test_unknown_fbp_mm_config_names_the_closest():
    with pytest.raises(FileNotFoundError, match=r"fbp_mm has no config "
                       r"'fbp/mae_ms_kd_x.py'.*Did you mean "
                       r'fbp_mm::fbp/mae_ms_kd.py\?'):
        resolve_package_config('fbp_mm::fbp/mae_ms_kd_x.py')
    with pytest.raises(FileNotFoundError, match="the package 'no_such_pkg' "
                       'is not installed'):
        resolve_package_config('no_such_pkg::a/b.py')


@pytest.fixture(scope='module')
def installed_package(tmp_path_factory):
    """fbp_mm built as a wheel from a copy of the source tree and installed
    (not editable) into a folder that goes first on PYTHONPATH."""
    root = tmp_path_factory.mktemp('installed')
    src, wheels, site = root / 'src', root / 'wheels', root / 'site'
    src.mkdir()
    for name in ('setup.py', 'MANIFEST.in', 'model-index.yml'):
        shutil.copy(osp.join(REPO_ROOT, name), src / name)
    ignore = shutil.ignore_patterns('__pycache__', '.mim', '*.egg-info')
    for name in ('requirements', 'fbp_mm', 'configs', 'tools'):
        shutil.copytree(osp.join(REPO_ROOT, name), src / name, ignore=ignore)
    subprocess.run([
        sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
        '--no-build-isolation', '-w', str(wheels), str(src)
    ], check=True, capture_output=True, timeout=300)
    wheel, = wheels.glob('fbp_mm-*.whl')
    subprocess.run([
        sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
        '--target', str(site), str(wheel)
    ], check=True, capture_output=True, timeout=300)
    return root, src, wheel, site


def test_wheel_ships_configs_tools_and_index_under_mim(installed_package):
    _, src, wheel, _ = installed_package
    demo = 'fbp/demo/mae_ms_kd_demo-faces.py'
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        shipped = zf.read(f'fbp_mm/.mim/configs/{demo}')
    with open(osp.join(REPO_ROOT, 'configs', demo), 'rb') as f:
        assert shipped == f.read()
    for name in ('configs/_base_/models/mae_ms_kd_distill.py',
                 'configs/fiqa/metafile.yml', 'configs/fiqa/README.md',
                 'model-index.yml', 'tools/train.py', 'tools/dist_train.sh',
                 'tools/analysis/benchmark.py'):
        assert f'fbp_mm/.mim/{name}' in names, name
    # The build left links to the repository's files in the source tree.
    for name in ('configs', 'tools', 'model-index.yml'):
        assert osp.islink(src / 'fbp_mm' / '.mim' / name)


def test_fbp_mm_configs_load_from_an_installed_package(installed_package):
    root, _, _, site = installed_package
    user_config = root / 'my_student.py'
    student = 'edgenext-xxsmall_1xb32-30e_fiqa-352px_student.py'
    user_config.write_text(
        f"_base_ = ['fbp_mm::fiqa/{student}']\n"
        'train_cfg = dict(max_epochs=3)\n')
    script = textwrap.dedent(f"""\
        import os.path as osp, warnings
        warnings.simplefilter('ignore')
        import fbp_mm
        from mmengine.config import Config
        from mmengine.hub import get_config
        from modelindex.load_model_index import load
        package = osp.dirname(fbp_mm.__file__)
        assert package.startswith({str(site)!r}), package
        cfg = Config.fromfile({str(user_config)!r})
        print(cfg.model.backbone.type, cfg.train_cfg.max_epochs)
        cfg = get_config('fbp_mm::fbp/mae_ms_kd.py')
        print(cfg.model.type, osp.relpath(cfg.filename, package))
        index = load(osp.join(package, '.mim', 'model-index.yml'))
        index.build_models_with_collections()
        print(len(index.models))
        for tool in ('train.py', 'test.py', 'dist_train.sh'):
            assert osp.isfile(osp.join(package, '.mim', 'tools', tool))
        """)
    env = dict(PYTHONPATH=str(site), PATH='/usr/bin:/bin')
    out = subprocess.run([sys.executable, '-c', script], cwd=root, env=env,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = out.stdout.split('\n')
    assert lines[0] == 'EdgeNeXt 3'
    assert lines[1] == 'TeacherStudentDistiller .mim/configs/fbp/mae_ms_kd.py'
    assert int(lines[2]) == len(list_fbp_mm_models())


def test_config_tree_has_no_metafile_stray():
    """A metafile entry's Config exists and loads."""
    for family in FAMILIES:
        for model in metafile_models(family):
            load_config(osp.join(REPO_ROOT, model['Config']))
