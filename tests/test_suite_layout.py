"""Checks on the test suite's own files."""
import collections
import os
import os.path as osp

TESTS = osp.dirname(osp.abspath(__file__))


def test_test_modules_have_unique_basenames():
    # The test folders are not packages, so pytest imports each test file
    # by its basename: a second file of the same name fails collection of
    # the whole run (not of a single file run by hand).
    places = collections.defaultdict(list)
    for root, _, files in os.walk(TESTS):
        for name in files:
            if name.startswith('test_') and name.endswith('.py'):
                places[name].append(osp.relpath(osp.join(root, name), TESTS))
    repeated = {name: paths for name, paths in places.items()
                if len(paths) > 1}
    assert not repeated, f'test files sharing a basename: {repeated}'
