"""FaceScoreInferencer: faces found, cropped and scored, per image."""
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from skimage import data

from fbp_mm.apis import (DEFAULT_FACE_PREPARATION, FaceScoreInferencer,
                         build_model_from_config)
from fbp_mm.datasets.transforms import CropFaceBox

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO_ROOT, 'configs', 'fbp',
                  'resnet18-w16_1xb32-20e_demo-faces.py')


def bgr(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[..., ::-1])


@pytest.fixture(scope='module')
def inferencer():
    torch.manual_seed(0)
    return FaceScoreInferencer(CONFIG)


@pytest.fixture(scope='module')
def photos(tmp_path_factory):
    """The astronaut photo (one face), it and its mirror side by side
    (two faces) and the coffee cup (none), as files."""
    root = tmp_path_factory.mktemp('photos')
    astronaut = bgr(data.astronaut())
    pair = np.concatenate([astronaut, cv2.flip(astronaut, 1)], axis=1)
    files = {}
    for name, img in [('astronaut.png', astronaut), ('pair.png', pair),
                      ('coffee.png', bgr(data.coffee()))]:
        files[name] = str(root / name)
        cv2.imwrite(files[name], img)
    return files


def test_one_score_per_detected_face(inferencer, photos):
    results = inferencer(
        [photos['astronaut.png'], photos['pair.png'], photos['coffee.png']])
    assert [r['img_path'] for r in results] == [
        photos['astronaut.png'], photos['pair.png'], photos['coffee.png']
    ]
    astronaut, pair, coffee = results
    assert astronaut['status'] == 'ok' and len(astronaut['faces']) == 1
    # the face is in the upper middle of the 512 x 512 photo
    x1, y1, x2, y2 = astronaut['faces'][0]['box']
    assert 150 < x1 < x2 < 300 and 50 < y1 < y2 < 200
    assert pair['status'] == 'ok' and len(pair['faces']) == 2
    centres = sorted((f['box'][0] + f['box'][2]) / 2 for f in pair['faces'])
    assert centres[0] < 512 < centres[1]
    # a photo without a face: a per-image result, no error
    assert coffee == dict(img_path=photos['coffee.png'], status='no face',
                          faces=[])
    for face in astronaut['faces'] + pair['faces']:
        assert face['score'] == face['pred_score'][0]
        assert np.isfinite(face['score']) and face['detection_score'] > 0


def test_scores_are_the_models_on_the_crop_and_deterministic(
        inferencer, photos):
    first = inferencer(photos['astronaut.png'])[0]['faces'][0]
    again = inferencer(cv2.imread(photos['astronaut.png']))[0]
    assert again['img_path'] is None
    assert again['faces'][0]['score'] == first['score']
    # the face cut out as the inferencer does, scored whole by the model
    x1, y1, x2, y2 = first['box']
    crop = CropFaceBox(size=256, scale=1.25)(
        dict(img=cv2.imread(photos['astronaut.png']),
             face_box=np.array([x1, y1, x2 - 1, y2 - 1], np.float32)))['img']
    model = inferencer.model
    whole = FaceScoreInferencer(model, detect=False)
    assert whole(crop)[0]['faces'][0]['score'] == pytest.approx(
        first['score'], abs=1e-6)
    # batches of faces give the scores of single faces
    pair = [f['score'] for f in inferencer(photos['pair.png'])[0]['faces']]
    batched = inferencer([photos['pair.png']] * 3, batch_size=4)
    assert [f['score'] for r in batched for f in r['faces']] == \
        pytest.approx(pair * 3, abs=1e-5)


def test_folder_reports_what_it_skips(inferencer, photos, tmp_path):
    folder = tmp_path / 'mixed'
    (folder / 'sub').mkdir(parents=True)
    cv2.imwrite(str(folder / 'sub' / 'a.png'),
                cv2.imread(photos['astronaut.png']))
    (folder / 'notes.txt').write_text('not an image')
    (folder / 'broken.jpg').write_bytes(b'\xff\xd8 no jpeg')
    results = inferencer(str(folder))
    status = {osp.relpath(r['img_path'], folder): r['status']
              for r in results}
    assert list(status) == ['broken.jpg', 'notes.txt', 'sub/a.png']
    assert status['notes.txt'] == 'skipped: not an image file'
    assert status['broken.jpg'].startswith('unreadable: ')
    assert status['sub/a.png'] == 'ok'


def test_whole_images_without_detection(photos):
    inferencer = FaceScoreInferencer(CONFIG, detect=False)
    result = inferencer(photos['coffee.png'])[0]
    assert result['status'] == 'ok'
    # the whole 600 x 400 photo
    assert result['faces'][0]['box'] == [0.0, 0.0, 600.0, 400.0]
    assert result['faces'][0]['detection_score'] is None
    paths, scores = next(inferencer.iter_scores(
        [photos['coffee.png']], progress=False))
    assert paths == [photos['coffee.png']]
    assert scores[0, 0] == pytest.approx(result['faces'][0]['score'],
                                         abs=1e-6)


def test_config_records_face_preparation(photos):
    from mmengine.config import Config
    cfg = Config.fromfile(CONFIG)
    # a detector that finds nothing this small
    cfg.face_preparation = dict(
        detector=dict(type='HaarFace', min_size=400),
        crop=dict(type='CropFaceBox', size=64))
    inferencer = FaceScoreInferencer(cfg)
    assert inferencer.face_preparation['detector']['min_size'] == 400
    assert inferencer(photos['astronaut.png'])[0]['status'] == 'no face'


def test_faces_aligned_by_their_landmarks(inferencer, photos):
    """A crop made of several transforms: landmarks in the detected box,
    then the similarity warp onto the template; the model scores that."""
    from fbp_mm.datasets.transforms import AlignFace, FaceLandmarks
    align = [dict(type='FaceLandmarks'),
             dict(type='AlignFace', size=128, margin=0.3)]
    aligned = FaceScoreInferencer(
        inferencer.model, face_preparation=dict(
            detector=DEFAULT_FACE_PREPARATION['detector'], crop=align))
    face, = aligned(photos['astronaut.png'])[0]['faces']
    x1, y1, x2, y2 = face['box']
    img = cv2.imread(photos['astronaut.png'])
    results = dict(img=img, face_found=True, face_box=np.array(
        [x1, y1, x2 - 1, y2 - 1], np.float32))
    crop = AlignFace(size=128, margin=0.3)(FaceLandmarks()(results))['img']
    assert crop.shape == (128, 128, 3)
    whole = FaceScoreInferencer(inferencer.model, detect=False)
    assert whole(crop)[0]['faces'][0]['score'] == pytest.approx(
        face['score'], abs=1e-6)
    # and it is not the square crop's score
    square, = inferencer(photos['astronaut.png'])[0]['faces']
    assert abs(square['score'] - face['score']) > 1e-4


def test_clear_errors():
    model = build_model_from_config(CONFIG)
    del model.cfg
    with pytest.raises(ValueError, match='needs its config'):
        FaceScoreInferencer(model)
    inferencer = FaceScoreInferencer(CONFIG, detect=False)
    with pytest.raises(ValueError, match='unknown argument'):
        inferencer(np.zeros((8, 8, 3), np.uint8), colour='red')
    with pytest.raises(RuntimeError, match='Failed to load .*nowhere.png'):
        next(inferencer.iter_scores(['nowhere.png'], progress=False))


FIQA_DEMO_STUDENT = osp.join(
    REPO_ROOT, 'configs', 'fiqa', 'demo',
    'edgenext-xxsmall_1xb32-24e_fiqa-demo-64px_student.py')


def test_fused_network_scores_as_the_unfused_one(photos):
    from mmpretrain.models.backbones.convnext import ConvNeXtBlock
    from mmpretrain.models.backbones.edgenext import SDTAEncoder
    torch.manual_seed(0)
    model = build_model_from_config(FIQA_DEMO_STUDENT)
    with torch.no_grad():  # layer scales away from 1, as after training
        for name, param in model.named_parameters():
            if name.endswith('.gamma'):
                param.uniform_(0.5, 1.5)
    plain = FaceScoreInferencer(model, detect=False)
    fused = FaceScoreInferencer(model, detect=False, fuse=True)
    assert plain.fusions is None
    # the 12 blocks' layer scales folded, the position encoding cached
    assert fused.fusions == dict(
        layer_scales=12, position_encodings=1, batch_norms=0)
    # on a copy: the model passed in keeps its layer scales
    assert fused.model is not model and plain.model is model
    assert fused.model.cfg is model.cfg
    def blocks(network):
        return [m for m in network.modules()
                if isinstance(m, (ConvNeXtBlock, SDTAEncoder))]

    assert len(blocks(model)) == 12
    assert all(b.gamma is not None for b in blocks(model))
    assert all(b.gamma is None for b in blocks(fused.model))
    images = [photos['astronaut.png'], photos['pair.png'],
              photos['coffee.png']]
    before = [r['faces'][0]['score'] for r in plain(images)]
    after = [r['faces'][0]['score'] for r in fused(images * 2)]
    assert after == pytest.approx(before * 2, abs=1e-5)
    assert len(set(before)) == 3


def test_fused_resnet_folds_its_batch_norms(photos):
    torch.manual_seed(0)
    model = build_model_from_config(CONFIG)
    with torch.no_grad():  # running statistics as after training
        for norm in model.modules():
            if isinstance(norm, torch.nn.BatchNorm2d):
                norm.running_mean.normal_(0, 0.3)
                norm.running_var.uniform_(0.5, 2.0)
    plain = FaceScoreInferencer(model, detect=False)
    fused = FaceScoreInferencer(model, detect=False, fuse=True)
    # ResNet-18: stem, 16 in the blocks, 3 shortcuts
    assert fused.fusions['batch_norms'] == 20
    assert not any(isinstance(m, torch.nn.BatchNorm2d)
                   for m in fused.model.modules())
    images = [photos['astronaut.png'], photos['coffee.png']]
    before = [r['faces'][0]['score'] for r in plain(images)]
    after = [r['faces'][0]['score'] for r in fused(images)]
    assert after == pytest.approx(before, abs=1e-5)
    assert abs(before[0] - before[1]) > 1e-4
