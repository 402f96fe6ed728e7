"""Install fbp_mm: ``pip install -e .`` (see README for the full setup)."""
import os.path as osp

from setuptools import find_packages, setup


def read_requirements(path: str) -> list:
    """Requirement lines of ``path`` without comments or includes."""
    with open(osp.join(osp.dirname(__file__), path)) as f:
        lines = [line.split('#')[0].strip() for line in f]
    return [line for line in lines if line and not line.startswith('-')]


def read_version() -> str:
    scope: dict = {}
    with open(osp.join(osp.dirname(__file__), 'fbp_mm', 'version.py')) as f:
        exec(f.read(), scope)
    return scope['__version__']


setup(
    name='fbp_mm',
    version=read_version(),
    description='Face representation learning, distillation and face score '
    'regression for MMPretrain',
    packages=find_packages(exclude=('tests', 'tests.*', 'configs', 'tools')),
    python_requires='>=3.9',
    # torch and mmcv are left to the user (CPU/GPU builds, mmcv vs mmcv-lite);
    # requirements/torch.txt and requirements/mmcv.txt pin the tested ones.
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={
        'tests': read_requirements('requirements/tests.txt'),
        'det': read_requirements('requirements/det.txt'),
    },
)
