"""Install fbp_mm: ``pip install -e .`` (see README for the full setup)."""
import os
import os.path as osp
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(path: str) -> list:
    """Requirement lines of ``path`` without comments or includes."""
    with open(osp.join(HERE, path)) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [line for line in lines if line and not line.startswith('-')]


def read_version() -> str:
    scope: dict = {}
    with open(osp.join(HERE, 'fbp_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


# What ``fbp_mm/.mim`` holds: the repository's paths MIM and MMEngine look
# for inside an installed OpenMMLab package.
MIM_FILES = ('configs', 'tools', 'model-index.yml')


def add_mim_extension() -> None:
    """Ship configs, tools and the model index inside the package.

    ``fbp_mm/.mim/{configs,tools,model-index.yml}`` is where MMEngine and
    MIM look in an installed package: ``fbp_mm::fbp/x.py`` names
    ``configs/fbp/x.py`` of an installed fbp_mm (as ``mmpretrain::...``
    does for MMPretrain), ``mim train fbp_mm CONFIG`` runs
    ``.mim/tools/train.py`` and ``mim search fbp_mm`` reads
    ``.mim/model-index.yml``. Each entry is made at build time as a
    symlink to the repository's own (so an editable install always sees
    the repository, and wheels and sdists copy the files through it), or
    as a copy where symlinks are not available. An sdist holds both as
    files; building from it links them again.
    """
    mim_root = osp.join(HERE, 'fbp_mm', '.mim')
    for name in MIM_FILES:
        source = osp.join(HERE, name)
        target = osp.join(mim_root, name)
        if not osp.exists(source):
            continue
        link = osp.relpath(source, mim_root)
        if osp.islink(target):
            if os.readlink(target) == link:
                continue
            os.remove(target)
        elif osp.isdir(target):
            shutil.rmtree(target)
        elif osp.exists(target):
            os.remove(target)
        os.makedirs(mim_root, exist_ok=True)
        try:
            os.symlink(link, target, target_is_directory=osp.isdir(source))
        except (OSError, NotImplementedError):
            if osp.isdir(source):
                shutil.copytree(source, target)
            else:
                shutil.copyfile(source, target)


if __name__ == '__main__' and len(sys.argv) > 1:
    add_mim_extension()

setup(
    name='fbp_mm',
    version=read_version(),
    description='Face representation learning, distillation and face score '
    'regression for MMPretrain',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    # Configs, metafiles, tools and the model index under fbp_mm/.mim (see
    # add_mim_extension).
    package_data={
        'fbp_mm': [
            '.mim/model-index.yml', '.mim/configs/**/*.py',
            '.mim/configs/**/*.yml', '.mim/configs/**/*.md',
            '.mim/tools/**/*.py', '.mim/tools/*.sh'
        ]
    },
    python_requires='>=3.9',
    # torch and mmcv are left to the user (CPU/GPU builds, mmcv vs mmcv-lite);
    # requirements/torch.txt and requirements/mmcv.txt pin the tested ones.
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={
        'tests': read_requirements('requirements/tests.txt'),
        'face': read_requirements('requirements/face.txt'),
        'det': read_requirements('requirements/det.txt'),
    },
)
