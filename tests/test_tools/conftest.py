"""Fixtures for tests that run the tools as subprocesses."""
import pytest


@pytest.fixture(scope='session')
def demo_faces(tmp_path_factory):
    """A small synthetic face set in the SCUT-FBP5500 layout (64 px)."""
    from fbp_mm.generators import generate_demo_faces
    root = str(tmp_path_factory.mktemp('demo_faces'))
    generate_demo_faces(
        root, num_labeled=500, num_unlabeled=20, size=64, seed=1)
    return root
