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


def add_mim_extension() -> None:
    """Ship ``configs/`` inside the package as ``fbp_mm/.mim/configs``.

    That is where MMEngine and MIM look for a package's configs, so
    ``fbp_mm::fbp/x.py`` names ``configs/fbp/x.py`` of an installed
    fbp_mm, as ``mmpretrain::...`` does for MMPretrain. ``fbp_mm/.mim`` is
    made at build time: a symlink ``configs -> ../../configs`` (so an
    editable install always sees the repository's configs, and wheels and
    sdists copy the files through it), or a copy where symlinks are not
    available. An sdist holds both folders as files; building from it
    links them again.
    """
    source = osp.join(HERE, 'configs')
    target = osp.join(HERE, 'fbp_mm', '.mim', 'configs')
    if not osp.isdir(source):
        return
    link = osp.relpath(source, osp.dirname(target))
    if osp.islink(target):
        if os.readlink(target) == link:
            return
        os.remove(target)
    elif osp.isdir(target):
        shutil.rmtree(target)
    os.makedirs(osp.dirname(target), exist_ok=True)
    try:
        os.symlink(link, target, target_is_directory=True)
    except (OSError, NotImplementedError):
        shutil.copytree(source, target)


if __name__ == '__main__' and len(sys.argv) > 1:
    add_mim_extension()

setup(
    name='fbp_mm',
    version=read_version(),
    description='Face representation learning, distillation and face score '
    'regression for MMPretrain',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    # The configs, under fbp_mm/.mim/configs (see add_mim_extension).
    package_data={'fbp_mm': ['.mim/configs/**/*.py']},
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
