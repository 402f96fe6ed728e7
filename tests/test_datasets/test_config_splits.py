"""Every shipped config validates on data that is neither its test split
nor its training data."""
import glob
import os
import os.path as osp

import pytest
from mmpretrain.registry import DATASETS

from fbp_mm.generators import generate_demo_faces, make_degraded_faces
# Config.fromfile with each mmpretrain:: base looked up once (read here for
# every shipped config, at collection and again in each test)
from fbp_mm.utils import load_config

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = sorted(
    glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True))
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def _has_val_and_test(path):
    cfg = load_config(path)
    return all(cfg.get(name) for name in LOADERS)


WITH_VAL = [c for c in CONFIGS
            if '_base_/models' not in c and '_base_/schedules' not in c
            and _has_val_and_test(c)]


@pytest.fixture(scope='module')
def data_roots(tmp_path_factory):
    """Small generated trees in the layouts the configs read."""
    demo = str(tmp_path_factory.mktemp('demo_faces'))
    generate_demo_faces(demo, 60, 4, size=16, seed=0)
    fiqa = str(tmp_path_factory.mktemp('fiqa'))
    make_degraded_faces(
        osp.join(demo, 'Images'), fiqa, per_source=2, image_size=16)
    # An LSAFBD-style tree: train / val / test level lists at the root.
    levels = str(tmp_path_factory.mktemp('lsafbd'))
    os.symlink(osp.join(demo, 'Images'), osp.join(levels, 'Images'))
    for part in ('train', 'val', 'test'):
        with open(osp.join(demo, 'levels', f'{part}.txt')) as f:
            text = f.read()
        with open(osp.join(levels, f'{part}.txt'), 'w') as f:
            f.write(text)
    # the downstream face sets in their official layouts (ProS and
    # Face-prior configs)
    from test_affectnet import write_affectnet
    from test_aflw import NUM_FACES, write_aflw
    from test_age_list import write_agedb, write_utkface
    from test_au_occurrence import write_au_folds
    from test_celeba import write_celeba
    from test_face_landmarks import write_300w, write_300w_train, \
        write_wflw_many
    from test_lfw_attributes import write_lfw_many
    from test_lfwa import write_lfwa
    from test_rafdb import write_rafdb

    from fbp_mm.datasets import BP4D_AUS, DISFA_AUS
    official = {}
    for name in ('celeba', 'rafdb', '300w', 'wflw', 'bp4d', 'disfa',
                 'affectnet', 'agedb', 'utkface', 'lfw', 'aflw', 'lfwa'):
        official[name] = tmp_path_factory.mktemp(name)
    write_celeba(official['celeba'])
    write_rafdb(official['rafdb'],
                rows=[(f'train_{k:05d}.jpg', 1 + k % 7) for k in range(1, 21)]
                + [(f'test_{k:04d}.jpg', 1 + k % 7) for k in range(1, 6)])
    write_300w_train(official['300w'])
    write_300w(official['300w'])
    write_wflw_many(official['wflw'])
    write_au_folds(official['bp4d'], BP4D_AUS)
    write_au_folds(official['disfa'], DISFA_AUS)
    write_affectnet(official['affectnet'],
                    train=[(f'{k // 5}/{k:03d}.jpg', k % 7)
                           for k in range(20)])
    write_agedb(official['agedb'])
    official['agedb'] = official['agedb'] / 'AgeDB'  # images at the root
    write_utkface(official['utkface'])
    write_lfw_many(official['lfw'])
    write_lfwa(official['lfwa'])
    # one image per face (the protocol itself may put two faces of an image
    # in its training and test parts)
    write_aflw(official['aflw'],
               names=[f'{i % 3}/f{i}.jpg' for i in range(NUM_FACES)])
    return dict(demo=demo, fiqa=fiqa, levels=levels,
                **{k: str(v) for k, v in official.items()})


def _root_for(dataset_cfg, roots):
    kind = dataset_cfg['type']
    if kind == 'SCUTFBP5500':
        return roots['demo']
    if kind == 'ScoreListDataset':
        return roots['fiqa']
    if kind == 'UnlabeledFaceDataset':
        ann = str(dataset_cfg.get('ann_file', ''))
        if ann.startswith('unlabeled_'):  # a FIQA tree's unlabeled pools
            return roots['fiqa']
        # the demo tree's unlabeled pool
        return roots['demo'] if ann else osp.join(roots['demo'], 'unlabeled')
    if kind == 'CustomDataset':
        ann = str(dataset_cfg.get('ann_file', ''))
        return roots['demo'] if ann.startswith('levels/') else roots['levels']
    if kind == 'CelebAAttributes':  # the demo faces carry CelebA's layout
        return roots['demo'] if dataset_cfg.get('attr_file') == \
            'attributes.txt' else roots['celeba']
    if kind == 'FaceLandmarkList':
        return roots['demo']
    if kind == 'AUOccurrenceList':  # one tree per AU set: BP4D, DISFA
        return roots[osp.basename(dataset_cfg['data_root']).lower()]
    official = dict(RAFDBBasic='rafdb', Face300W='300w', WFLW='wflw',
                    AffectNet='affectnet', AgeDB='agedb',
                    UTKFaceAges='utkface', LFWAttributes='lfw',
                    AFLW19='aflw', LFWA='lfwa')
    if kind in official:
        return roots[official[kind]]
    raise AssertionError(f'no generated tree for a {kind} config')


def _images(cfg, name, roots):
    return _dataset_images(cfg[name]['dataset'].to_dict(), name, roots)


def _dataset_images(dataset_cfg, name, roots):
    if dataset_cfg['type'] == 'ConcatDataset':
        # e.g. labeled + unlabeled faces for distillation
        return set().union(*(_dataset_images(d, name, roots)
                             for d in dataset_cfg['datasets']))
    if dataset_cfg['type'] == 'FewShotDataset':
        # a subset of its training set: check the whole set
        return _dataset_images(dataset_cfg['dataset'], name, roots)
    dataset_cfg['data_root'] = _root_for(dataset_cfg, roots)
    if dataset_cfg['type'] == 'AFLW19':  # 12 generated faces, not 24,386
        from test_aflw import NUM_TRAIN
        dataset_cfg['num_train'] = NUM_TRAIN
    dataset_cfg['pipeline'] = []
    ann = dataset_cfg.get('ann_file')
    if isinstance(ann, list) and dataset_cfg['type'] == 'ScoreListDataset':
        # The labeled list; pseudo-labeled lists are written by earlier
        # stages and hold unlabeled images only. (Other lists of files,
        # e.g. the training folds of AUOccurrenceList, are read whole.)
        dataset_cfg['ann_file'] = ann[0]
    dataset = DATASETS.build(dataset_cfg)
    paths = [
        osp.realpath(dataset.get_data_info(i)['img_path'])
        for i in range(len(dataset))
    ]
    assert paths, name
    return set(paths)


def test_configs_with_validation_are_found():
    names = {osp.relpath(c, REPO_ROOT) for c in WITH_VAL}
    assert {
        'configs/_base_/datasets/scut_fbp5500_bs32_224.py',
        'configs/_base_/datasets/demo_faces_bs32_64.py',
        'configs/_base_/datasets/beauty_levels_bs32_224.py',
        'configs/_base_/datasets/fiqa_bs32.py',
        'configs/fbp/mae_ms_kd.py',
        'configs/fbp/demo/mae_ms_kd_demo-faces.py',
    } <= names
    face_prior = {
        f'configs/face_prior/vit-small-p16_ft-1xb64-30e_{task}.py'
        for task in ('bp4d-au', 'disfa-au', 'rafdb', 'rafdb_10shot',
                     'affectnet-7', 'agedb-age', 'utkface-age',
                     'celeba-attributes', 'celeba-attributes_1pct',
                     'lfwa-attributes', 'lfw-73-attributes')
    }
    assert face_prior <= names


@pytest.mark.parametrize(
    'path', WITH_VAL, ids=[osp.relpath(c, REPO_ROOT) for c in WITH_VAL])
def test_val_is_apart_from_test_and_train(path, data_roots, monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    cfg = load_config(path)
    train, val, test = (_images(cfg, name, data_roots) for name in LOADERS)
    assert not val & test, 'validation images are test images'
    assert not val & train, 'validation images are training images'
    assert not train & test, 'training images are test images'
