# Copyright (c) fbp_mm contributors. All rights reserved.
import importlib.util
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from fbp_mm.generators import find_source_images
from fbp_mm.generators.package_faces import (collect_package_faces,
                                             load_package_faces,
                                             package_faces_complete)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLI = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
               'collect_package_faces.py')


def test_package_faces_are_the_lfw_faces_and_two_portrait_crops():
    faces = load_package_faces()
    names = [name for name, _, _ in faces]
    assert names[:2] == ['lfw_000.png', 'lfw_001.png']
    assert names[99] == 'lfw_099.png'
    assert names[100:] == ['astronaut.png', 'grace_hopper.png']
    for _, img, _ in faces[:100]:
        assert img.shape == (25, 25, 3) and img.dtype == np.uint8
        # grey faces: three equal channels, not a blank image
        assert (img[..., 0] == img[..., 2]).all() and img.std() > 10
    from skimage import data
    lfw = data.lfw_subset()
    np.testing.assert_array_equal(faces[7][1][..., 0],
                                  np.round(lfw[7] * 255).astype(np.uint8))
    for _, img, origin in faces[100:]:
        # the face box plus a quarter of it on each side, square
        assert img.shape[0] == img.shape[1] and 120 <= img.shape[0] <= 400
        assert 'public domain' in origin and 'Haar face box' in origin
    astronaut = faces[100][1]
    # the crop is the face, not the whole portrait
    assert astronaut.shape[0] < data.astronaut().shape[0] / 2


def test_collect_writes_a_source_tree_with_its_origins(tmp_path):
    extra = tmp_path / 'synthetic'
    extra.mkdir()
    for i in range(5):
        cv2.imwrite(str(extra / f'f{i}.jpg'), np.full((8, 8, 3), i, np.uint8))
    (extra / 'notes.txt').write_text('not an image')
    out = str(tmp_path / 'src')
    info = collect_package_faces(out, extra_dir=str(extra), extra_count=3)
    assert info == dict(num_real=102, num_extra=3, num_images=105)
    assert package_faces_complete(out, extra_dir=str(extra), extra_count=3)
    assert not package_faces_complete(out, extra_dir=str(extra),
                                      extra_count=4)
    assert not package_faces_complete(out, margin=0.3,
                                      extra_dir=str(extra), extra_count=3)
    found = find_source_images(out)
    assert len(found) == 105
    assert found[:3] == ['extra/f0.jpg', 'extra/f1.jpg', 'extra/f2.jpg']
    assert 'real/astronaut.png' in found
    sources = open(osp.join(out, 'SOURCES.md')).read()
    assert '- `real/lfw_042.png`: scikit-image skimage.data.lfw_subset()[42]' \
        in sources
    assert 'the first 3 images of' in sources
    img = cv2.imread(osp.join(out, 'real', 'lfw_042.png'))
    assert img.shape == (25, 25, 3)

    with pytest.raises(FileNotFoundError, match='holds 5 images, fewer than '
                       'the 6 asked for'):
        collect_package_faces(str(tmp_path / 'again'), extra_dir=str(extra),
                              extra_count=6)


def test_collect_command_line(tmp_path, capsys):
    out = str(tmp_path / 'src')
    proc = subprocess.run([sys.executable, CLI, out], capture_output=True,
                          text=True, check=True)
    assert '[102/102] 100% images' in proc.stdout
    assert 'Done in ' in proc.stdout and f's: {out}' in proc.stdout
    assert proc.stdout.strip().endswith(
        '{"num_real": 102, "num_extra": 0, "num_images": 102}')
    assert len(os.listdir(osp.join(out, 'real'))) == 102
    # a complete folder is left alone; a missing file or --force rewrites
    # it (in this process, to save the interpreter start-ups)
    spec = importlib.util.spec_from_file_location('collect_cli', CLI)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.main([out]) == 0
    assert capsys.readouterr().out.strip() == (
        f'{out} already holds a complete face collection with the same '
        'settings; nothing to do (use --force to regenerate).')
    os.remove(osp.join(out, 'real', 'lfw_007.png'))
    assert cli.main([out]) == 0
    assert 'Done in ' in capsys.readouterr().out
    assert osp.isfile(osp.join(out, 'real', 'lfw_007.png'))
    assert cli.main([out, '--force']) == 0
    assert 'Done in ' in capsys.readouterr().out
    bad = subprocess.run(
        [sys.executable, CLI, out, '--extra-dir', str(tmp_path),
         '--extra-count', '1'], capture_output=True, text=True)
    assert bad.returncode == 1
    assert 'error: ' in bad.stderr and 'fewer than the 1 asked' in bad.stderr
