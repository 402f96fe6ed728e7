"""tools/curate_faces.py on planted faces, non-faces and a corrupt file."""
import json
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from fbp_mm.datasets import UnlabeledFaceDataset
from fbp_mm.faces import curate_faces

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CLI = osp.join(REPO_ROOT, 'tools', 'curate_faces.py')


@pytest.fixture
def pool(tmp_path, photos):
    """Grace Hopper twice (a 216 px face), the astronaut twice (88 px),
    two photos without a face, a corrupt JPEG and a text file."""
    from skimage import data
    root = tmp_path / 'pool'
    (root / 'people').mkdir(parents=True)
    cv2.imwrite(str(root / 'people' / 'hopper.jpg'), photos['grace_hopper'])
    cv2.imwrite(str(root / 'people' / 'hopper_flipped.png'),
                cv2.flip(photos['grace_hopper'], 1))
    cv2.imwrite(str(root / 'astronaut.png'), photos['astronaut'])
    cv2.imwrite(str(root / 'astronaut_flipped.png'),
                cv2.flip(photos['astronaut'], 1))
    cv2.imwrite(str(root / 'coffee.jpg'), data.coffee()[..., ::-1])
    cv2.imwrite(str(root / 'chelsea.png'), data.chelsea()[..., ::-1])
    (root / 'broken.jpg').write_bytes(b'\xff\xd8 this is no jpeg')
    (root / 'notes.txt').write_text('not an image')
    return str(root)


EXPECTED = {'kept': 2, 'no_face': 2, 'too_small': 2, 'low_score': 0,
            'unreadable': 1, 'far_from_seeds': 0}


def test_command_line_keeps_the_faces_and_reports_the_rest(pool, tmp_path):
    out = str(tmp_path / 'curated')
    proc = subprocess.run(
        [sys.executable, CLI, pool, out, '--min-size', '100', '--size', '96',
         '--workers', '2'], capture_output=True, text=True, check=True)
    assert '] 7/7, ' in proc.stdout  # MMEngine's progress bar
    assert ('7 images: kept 2, no_face 2, too_small 2, low_score 0, '
            'unreadable 1, far_from_seeds 0') in proc.stdout
    assert f'unreadable, skipped: {osp.join(pool, "broken.jpg")}' \
        in proc.stdout
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == EXPECTED
    with open(osp.join(out, 'faces.txt')) as f:
        crops = f.read().split()
    assert len(crops) == 2
    assert [osp.basename(c).split('_')[0] for c in crops] == ['hopper'] * 2
    for rel in crops:
        img = cv2.imread(osp.join(out, rel))
        assert img.shape == (96, 96, 3)
    # the crops are faces again, and the list feeds the unlabeled dataset
    from fbp_mm.faces import build_face_detector
    detector = build_face_detector(dict(type='DlibHogFace', min_score=-0.5))
    assert all(
        detector.detect(cv2.resize(cv2.imread(osp.join(out, c)), (192, 192)))
        for c in crops)
    dataset = UnlabeledFaceDataset(data_root=out, ann_file='faces.txt',
                                   pipeline=[])
    assert len(dataset) == 2
    with open(osp.join(out, 'curation.jsonl')) as f:
        records = [json.loads(line) for line in f]
    small = [r for r in records if r['outcome'] == 'too_small']
    assert {osp.basename(r['image']) for r in small} == {
        'astronaut.png', 'astronaut_flipped.png'}
    assert all(80 < r['box'][2] - r['box'][0] < 100 for r in small)


def test_a_killed_run_resumes_without_duplicates(pool, tmp_path):
    out = str(tmp_path / 'curated')
    settings = dict(min_size=100, size=64, align=False)
    first = curate_faces(pool, out, **settings)
    assert first['counts'] == EXPECTED and first['resumed'] == 0
    journal = osp.join(out, 'curation.jsonl')
    with open(journal) as f:
        lines = f.readlines()
    # "killed" after four records, the fifth half written; a crop of an
    # unrecorded image may already be on disk
    with open(journal, 'w') as f:
        f.writelines(lines[:4])
        f.write(lines[4][:20])
    again = curate_faces(pool, out, **settings)
    assert again['resumed'] == 4
    assert again['counts'] == EXPECTED
    with open(osp.join(out, 'faces.txt')) as f:
        crops = f.read().split()
    assert len(crops) == len(set(crops)) == 2
    assert len(os.listdir(osp.join(out, 'crops'))) == 2
    # another threshold in the same folder is refused, not mixed in
    with pytest.raises(ValueError, match=r'curated with other settings '
                       r'\(min_size: \[100\] there, \[40\] now\)'):
        curate_faces(pool, out, min_size=40, size=64, align=False)


def test_keep_tree_writes_each_crop_at_its_frame_path(pool, tmp_path):
    # the AU lists name frames by path: F001/T1/0001.jpg
    out = tmp_path / 'curated'
    report = curate_faces(pool, str(out), min_size=100, size=64,
                          align=False, keep_tree=True)
    assert report['counts'] == EXPECTED
    crops = (out / 'faces.txt').read_text().split()
    assert crops == ['crops/people/hopper.jpg',
                     'crops/people/hopper_flipped.png']
    hopper = cv2.imread(str(out / 'crops' / 'people' / 'hopper.jpg'))
    assert hopper.shape == (64, 64, 3)
    assert not list(out.rglob('*.tmp*'))
    with pytest.raises(ValueError, match='keep_tree=True needs a source '
                       'folder'):
        curate_faces([osp.join(pool, 'coffee.jpg')], str(tmp_path / 'x'),
                     keep_tree=True)


def test_list_source_and_missing_source(pool, tmp_path):
    listing = tmp_path / 'list.txt'
    listing.write_text('pool/people/hopper.jpg\n# a comment\n\n'
                       'pool/coffee.jpg\n')
    report = curate_faces(str(listing), str(tmp_path / 'out'), align=False)
    assert report['counts']['kept'] == 1 and report['num_images'] == 2
    with pytest.raises(FileNotFoundError, match='No folder or list file at'):
        curate_faces(str(tmp_path / 'nothing'), str(tmp_path / 'out2'))


def test_landmark_converter_writes_every_face(pool, tmp_path, landmarks):
    from importlib.util import module_from_spec, spec_from_file_location
    path = osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                    'write_landmarks.py')
    spec = spec_from_file_location('write_landmarks_cli', path)
    cli = module_from_spec(spec)
    spec.loader.exec_module(cli)
    out = str(tmp_path / 'marks')
    assert cli.main([pool, out]) == 0
    with open(osp.join(out, 'landmarks.txt')) as f:
        rows = {line.split()[0]: line.split()[1:] for line in f}
    assert sorted(rows) == [
        'astronaut.png', 'astronaut_flipped.png', 'people/hopper.jpg',
        'people/hopper_flipped.png'
    ]
    # the same as detecting and predicting on the file by hand
    from fbp_mm.faces import DlibLandmarkPredictor, build_face_detector
    img = cv2.imread(osp.join(pool, 'people', 'hopper.jpg'))
    face = build_face_detector(dict(type='DlibHogFace')).detect(img)[0]
    expected = DlibLandmarkPredictor().predict(img, face)
    points = np.array(rows['people/hopper.jpg'], float).reshape(68, 2)
    np.testing.assert_allclose(points, expected, atol=0.01)
    # and close to the landmarks of the lossless original
    assert np.abs(points - landmarks['grace_hopper']).mean() < 5
    assert cli.main([pool, out]) == 0  # a second run reads nothing again
    with open(osp.join(out, 'report.json')) as f:
        report = json.load(f)
    assert report['resumed'] == 7
    assert report['counts'] == {'kept': 4, 'no_face': 2, 'too_small': 0,
                                'low_score': 0, 'unreadable': 1,
                                'far_from_seeds': 0}
    assert cli.main([str(tmp_path / 'nowhere'), out]) == 1


def test_retrieval_keeps_the_faces_near_the_seeds(pool, tmp_path):
    """Seeds: one curated crop. With a similarity bar above every other
    crop's, only that face stays; the scores are written down."""
    import shutil
    out = str(tmp_path / 'curated')
    first = curate_faces(pool, out, min_size=60, size=64)
    assert first['counts']['kept'] == 4
    with open(osp.join(out, 'faces.txt')) as f:
        crops = f.read().split()
    seed_dir = tmp_path / 'seeds'
    seed_dir.mkdir()
    shutil.copy(osp.join(out, crops[0]), seed_dir / 'seed.png')
    model = osp.join(REPO_ROOT, 'configs', 'fbp',
                     'resnet18-w16_1xb32-20e_demo-faces.py')
    report = curate_faces(
        pool, out, min_size=60, size=64,
        retrieval=dict(seeds=str(seed_dir), model=model, k=1,
                       min_similarity=0.99999))
    assert report['resumed'] == 7  # detection is not redone
    assert report['counts']['kept'] == 1
    assert report['counts']['far_from_seeds'] == 3
    with open(osp.join(out, 'faces.txt')) as f:
        assert f.read().split() == [crops[0]]
    with open(osp.join(out, 'retrieval.json')) as f:
        scores = json.load(f)['scores']
    assert scores[crops[0]] == pytest.approx(1.0, abs=1e-4)
    assert all(-1 <= scores[c] < 0.99999 for c in crops[1:])


def test_killed_command_resumes_without_duplicates(photos, tmp_path):
    import signal
    import time
    src = tmp_path / 'many'
    src.mkdir()
    for i in range(60):
        cv2.imwrite(str(src / f'face{i:02d}.png'), photos['grace_hopper'])
    out = tmp_path / 'curated'
    args = [sys.executable, CLI, str(src), str(out), '--detector',
            'HaarFace', '--size', '48']
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    journal = out / 'curation.jsonl'
    try:
        end = time.time() + 60
        while time.time() < end and proc.poll() is None:
            if journal.is_file() and len(journal.read_text().splitlines()) \
                    >= 5:
                break
            time.sleep(0.02)
        assert proc.poll() is None, 'finished before it could be killed'
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done_before = len(journal.read_text().splitlines())
    assert 5 <= done_before < 60
    again = subprocess.run(args, capture_output=True, text=True, check=True)
    assert 'images were done by an earlier run' in again.stdout
    assert json.loads(again.stdout.strip().splitlines()[-1])['kept'] == 60
    with open(out / 'faces.txt') as f:
        crops = f.read().split()
    assert len(crops) == len(set(crops)) == 60
    assert sorted(os.listdir(out / 'crops')) == sorted(
        osp.basename(c) for c in crops)
    records = [json.loads(line) for line in journal.read_text().splitlines()
               if line.endswith('}')]
    assert len({r['image'] for r in records}) == 60
