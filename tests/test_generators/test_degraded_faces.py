# Copyright (c) fbp_mm contributors. All rights reserved.
import csv
import hashlib
import importlib.util
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest
from scipy.stats import spearmanr

from fbp_mm.datasets import ScoreListDataset, UnlabeledFaceDataset
from fbp_mm.generators.degradations import QUALITY_WEIGHTS, quality_score
from fbp_mm.generators.degraded_faces import (SPLITS,
                                              degraded_faces_complete,
                                              make_degraded_faces)
from fbp_mm.generators.synthetic_faces import generate_demo_faces

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLI = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
               'make_degraded_faces.py')
NUM_SOURCES = 30


def _read_csv(path):
    with open(path, encoding='utf-8', newline='') as f:
        return list(csv.DictReader(f))


def _read_lines(path):
    with open(path, encoding='utf-8') as f:
        return [line.rstrip('\n') for line in f]


def _folder_digest(root):
    digest = hashlib.sha1()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            path = osp.join(folder, name)
            digest.update(osp.relpath(path, root).encode())
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()


@pytest.fixture(scope='module')
def source_dir(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('faces'))
    generate_demo_faces(root, NUM_SOURCES, 0, size=64, seed=1)
    return osp.join(root, 'Images')


@pytest.fixture(scope='module')
def dataset(source_dir, tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('degraded'))
    info = make_degraded_faces(source_dir, out_dir, seed=5)
    return out_dir, info


def test_dataset_files_and_splits(dataset, source_dir):
    out_dir, info = dataset
    rows = _read_csv(osp.join(out_dir, 'degradations.csv'))
    per_source = 6  # levels + 1
    assert info['num_sources'] == NUM_SOURCES
    assert len(rows) == info['num_images'] == NUM_SOURCES * per_source
    assert info['skipped'] == []

    # Every image exists, scores follow the documented formula and range.
    for row in rows:
        assert osp.isfile(osp.join(out_dir, 'images', row['image_name']))
        strengths = {k: float(row[k]) for k in QUALITY_WEIGHTS}
        score = float(row['score'])
        assert 0.0 < score <= 1.0
        assert score == pytest.approx(quality_score(strengths), abs=1e-5)
        if row['degradation'] == 'none':
            assert score == 1.0 and row['image_name'].endswith('_0.jpg')
        else:
            assert score < 1.0 and 1 <= int(row['level']) <= 5

    # Splits are disjoint by source and cover every source.
    split_of = {}
    for row in rows:
        assert split_of.setdefault(row['source'], row['split']) == \
            row['split']
    assert sorted(split_of) == sorted(os.listdir(source_dir))
    sources_per_split = {s: sum(v == s for v in split_of.values())
                         for s in SPLITS}
    assert sources_per_split == info['split_sources']
    assert all(n > 0 for n in sources_per_split.values())

    # The lists hold exactly the rows of their split, relative to images/.
    for split in SPLITS:
        wanted = [r['image_name'] for r in rows if r['split'] == split]
        if split.startswith('unlabeled'):
            listed = _read_lines(osp.join(out_dir, f'{split}.txt'))
        else:
            table = _read_csv(osp.join(out_dir, f'{split}.csv'))
            listed = [r['image_name'] for r in table]
            scores = {r['image_name']: r['score'] for r in rows}
            assert all(r['score'] == scores[r['image_name']] for r in table)
        assert listed == wanted

    train = ScoreListDataset(
        ann_file='train.csv',
        data_root=out_dir,
        data_prefix='images',
        score_range=(0, 1))
    assert len(train) == info['split_images']['train']
    pool = UnlabeledFaceDataset(
        data_root=out_dir, ann_file='unlabeled_1.txt', data_prefix='images')
    assert len(pool) == info['split_images']['unlabeled_1']
    assert degraded_faces_complete(source_dir, out_dir, seed=5)
    assert not degraded_faces_complete(source_dir, out_dir, seed=6)


def test_dataset_is_deterministic(dataset, source_dir, tmp_path):
    out_dir, _ = dataset
    again = str(tmp_path / 'again')
    make_degraded_faces(source_dir, again, seed=5)
    assert _folder_digest(again) == _folder_digest(out_dir)
    other = str(tmp_path / 'other')
    make_degraded_faces(source_dir, other, seed=6)
    assert _read_csv(osp.join(other, 'degradations.csv')) != _read_csv(
        osp.join(out_dir, 'degradations.csv'))


@pytest.mark.parametrize('types,sign', [
    (('gaussian_blur', 'motion_blur', 'downscale'), 1.0),
    (('gaussian_noise', ), -1.0),
])
def test_score_is_learnable_from_sharpness(source_dir, tmp_path, types,
                                           sign):
    # Loss of detail (blur, low resolution) lowers the Laplacian variance,
    # while noise raises it: the score follows it up or down accordingly.
    out_dir = str(tmp_path / 'out')
    make_degraded_faces(
        source_dir, out_dir, per_source=4, seed=2, types=types)
    rows = _read_csv(osp.join(out_dir, 'degradations.csv'))
    assert len(rows) == 4 * NUM_SOURCES
    sharpness = []
    for row in rows:
        grey = cv2.imread(
            osp.join(out_dir, 'images', row['image_name']),
            cv2.IMREAD_GRAYSCALE)
        sharpness.append(np.log(cv2.Laplacian(grey, cv2.CV_64F).var()))
    rho = spearmanr([float(r['score']) for r in rows], sharpness)[0]
    assert sign * rho > 0.6, rho


def test_awkward_sources(tmp_path):
    src = tmp_path / 'src'
    for sub, shape in (('a', (40, 60, 3)), ('b', (50, 30, 3))):
        os.makedirs(src / sub)
        img = np.random.default_rng(0).integers(0, 256, shape, np.uint8)
        cv2.imwrite(str(src / sub / 'x y.png'), img)
    (src / 'broken.jpg').write_bytes(b'not an image')
    out = str(src / 'out')  # inside the source folder
    kwargs = dict(per_source=3, image_size=32, unlabeled_fractions=(0, 0))
    info = make_degraded_faces(str(src), out, **kwargs)
    assert info['skipped'] == ['broken.jpg']
    names = set(os.listdir(osp.join(out, 'images')))
    assert names == {f'x_y{s}_{k}.jpg' for s in ('', '-2') for k in range(3)}
    for name in names:
        img = cv2.imread(osp.join(out, 'images', name))
        assert img.shape == (32, 32, 3)
    assert degraded_faces_complete(str(src), out, **kwargs)
    # The output folder is not taken for sources on a second run.
    again = make_degraded_faces(str(src), out, **kwargs)
    assert again['num_images'] == info['num_images'] == 6
    with pytest.raises(ValueError, match='unlabeled'):
        make_degraded_faces(str(src), out, unlabeled_fractions=(0.6, 0.5))


def test_cli_generates_then_skips(source_dir, tmp_path, capsys):
    out_dir = str(tmp_path / 'cli')
    args = [source_dir, out_dir, '--levels', '3', '--size', '48',
            '--unlabeled', '0.1', '0.1', '--seed', '1']
    first = subprocess.run([sys.executable, CLI] + args,
                           capture_output=True,
                           text=True,
                           cwd=str(tmp_path),
                           timeout=120)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.strip().splitlines()
    assert sum('%' in line for line in lines) >= 5
    summary = json.loads(lines[-1])
    assert summary['num_images'] == 4 * NUM_SOURCES
    assert summary['num_sources'] == NUM_SOURCES
    stamp = os.path.getmtime(osp.join(out_dir, '.degraded_faces.json'))

    # Second run (in-process, to save a second interpreter start).
    spec = importlib.util.spec_from_file_location('make_degraded_faces', CLI)
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    assert cli.main(args) == 0
    assert 'nothing to do' in capsys.readouterr().out
    assert os.path.getmtime(osp.join(out_dir,
                                     '.degraded_faces.json')) == stamp
    assert cv2.imread(osp.join(out_dir, 'images', 'AF1_0.jpg')).shape == (
        48, 48, 3)
