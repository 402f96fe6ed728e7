"""tools/predict.py: a folder of photos -> a CSV row per face, pictures."""
import csv
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from skimage import data
from tool_runner import REPO_ROOT, python_tool, run_tool

CONFIG = osp.join(REPO_ROOT, 'configs', 'fbp',
                  'resnet18-w16_1xb32-20e_demo-faces.py')


def test_folder_to_csv_pictures_and_skipped_files(tmp_path):
    from fbp_mm.apis import build_model_from_config
    torch.manual_seed(0)
    model = build_model_from_config(CONFIG)
    ckpt = str(tmp_path / 'model.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    photos = tmp_path / 'photos'
    for sub, img in [('a', data.astronaut()), ('b', data.coffee())]:
        (photos / sub).mkdir(parents=True)
        # the same file name in two folders
        cv2.imwrite(str(photos / sub / 'x.png'), img[..., ::-1])
    (photos / 'readme.txt').write_text('not an image')
    out = tmp_path / 'out' / 'faces.csv'
    show = tmp_path / 'pictures'
    proc = run_tool(python_tool(
        'predict.py', CONFIG, ckpt, str(photos), '--out', str(out),
        '--show-dir', str(show)))
    assert f'{photos / "readme.txt"}: skipped: not an image file' \
        in proc.stdout
    assert '1 faces in 2 images (1 without a face, 1 skipped)' in proc.stdout
    with open(out) as f:
        rows = list(csv.DictReader(f))
    by_image = {osp.relpath(r['image'], photos): r for r in rows}
    assert list(by_image) == ['readme.txt', 'a/x.png', 'b/x.png']
    face = by_image['a/x.png']
    assert face['status'] == 'ok' and face['face'] == '0'
    assert 150 < float(face['x1']) < float(face['x2']) < 300
    assert by_image['b/x.png']['status'] == 'no face'
    assert by_image['b/x.png']['score'] == ''
    # the score is the model's, as the inferencer gives it
    from fbp_mm.apis import FaceScoreInferencer
    expected = FaceScoreInferencer(model)(str(photos / 'a' / 'x.png'))
    assert float(face['score']) == round(expected[0]['faces'][0]['score'], 6)
    # a picture per image, apart for the same name in two folders, with
    # the box drawn in
    drawn = cv2.imread(str(show / 'a' / 'x.png'))
    assert drawn.shape == (512, 512, 3)
    assert osp.getsize(show / 'b' / 'x.png') > 10_000
    changed = np.any(drawn != data.astronaut()[..., ::-1], axis=2)
    x1, y1 = int(float(face['x1'])), int(float(face['y1']))
    assert changed[y1 + 20, x1 - 2:x1 + 3].any()  # the box's left edge
    # JSON output; an --out the tool cannot write is refused up front (the
    # tool's main, in this process)
    from fbp_mm.apis.predict_cli import main
    out_json = tmp_path / 'faces.json'
    assert main([CONFIG, ckpt, str(photos / 'a' / 'x.png'), '--out',
                 str(out_json)]) == 0
    with open(out_json) as f:
        assert len(json.load(f)[0]['faces']) == 1
    assert main([CONFIG, ckpt, str(photos), '--out',
                 str(tmp_path / 'x.xlsx')]) == 1


def test_list_files_expand_and_name_a_missing_line(tmp_path):
    from fbp_mm.apis.predict_cli import read_inputs
    (tmp_path / 'sub').mkdir()
    cv2.imwrite(str(tmp_path / 'sub' / 'a.png'), np.zeros((8, 8, 3)))
    listing = tmp_path / 'photos.txt'
    listing.write_text('# my photos\nsub/a.png\n\nsub/a.png  # again\n')
    assert read_inputs([str(listing), str(tmp_path / 'sub')]) == [
        str(tmp_path / 'sub' / 'a.png'), str(tmp_path / 'sub' / 'a.png'),
        str(tmp_path / 'sub')
    ]
    listing.write_text('sub/a.png\nsub/gone.png\n')
    with pytest.raises(FileNotFoundError,
                       match=rf'photos.txt:2: {tmp_path}/sub/gone.png '
                       'does not exist'):
        read_inputs([str(listing)])
    with pytest.raises(FileNotFoundError, match='nowhere.png: no such file'):
        read_inputs([str(tmp_path / 'nowhere.png')])


FIQA_DEMO_STUDENT = osp.join(
    REPO_ROOT, 'configs', 'fiqa', 'demo',
    'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student.py')


def test_fuse_scores_with_the_rewritten_network(tmp_path, monkeypatch):
    from fbp_mm.apis import FaceScoreInferencer, build_model_from_config
    from fbp_mm.apis import predict_cli
    torch.manual_seed(0)
    model = build_model_from_config(FIQA_DEMO_STUDENT)
    ckpt = str(tmp_path / 'student.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    photo = str(tmp_path / 'face.png')
    cv2.imwrite(photo, data.astronaut()[100:300, 150:350, ::-1])
    built = []

    class Recorded(FaceScoreInferencer):

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(predict_cli, 'FaceScoreInferencer', Recorded)
    scores = {}
    for extra in ([], ['--fuse']):
        out = str(tmp_path / f'scores{len(extra)}.csv')
        assert predict_cli.main([
            FIQA_DEMO_STUDENT, ckpt, photo, '--no-detect', '--out', out
        ] + extra) == 0
        with open(out) as f:
            scores[len(extra)] = float(next(csv.DictReader(f))['score'])
    assert [b.fusions for b in built] == [
        None, dict(
        layer_scales=12, position_encodings=1, batch_norms=0)]
    assert scores[1] == pytest.approx(scores[0], abs=1e-5)
