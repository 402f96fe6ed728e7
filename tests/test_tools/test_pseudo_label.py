"""tools/pseudo_label.py: output format, resuming, logistic calibration.

A tiny untrained ResNet-18 (8 base channels, 32 px) stands in for the
teacher: the tests check the mechanics (one row per image, the scores of
the model, crash safety, the mapping), not the quality of the labels.

Crash simulation: ``tools/pseudo_label.py`` appends its chunks through the
module function ``append_chunk``. A small wrapper script loads the tool as a
module, wraps that function so that after the 2nd chunk it writes half a
row (as a write cut by a kill would) and ends the process with
``os._exit`` (no clean-up code runs), then calls the tool's ``main``. The
tool itself has no test-only switch.
"""
import csv
import json
import os
import os.path as osp
import sys
import textwrap

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose, pseudo_collate
from scipy import stats
from scipy.special import expit

import fbp_mm.apis.pseudo_label as pseudo_label_module
from fbp_mm.apis import build_model_from_config, predict_scores
from fbp_mm.datasets import ScoreListDataset
from fbp_mm.generators import generate_demo_faces
from fbp_mm.evaluation.functional import map_scores
from tool_runner import DEMO_CONFIG, python_tool, run_tool

NUM_UNLABELED = 20
BATCH, CHUNK = 4, 6  # 20 images: chunks of 6, 6, 6, 2
CRASH_EXIT_CODE = 17

TINY_CONFIG = """
_base_ = [{base!r}]
model = dict(
    backbone=dict(depth=18, stem_channels=8, base_channels=8),
    head=dict(in_channels=64))
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(32, 32)),
    dict(type='PackInputs'),
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
"""

CRASH_WRAPPER = """
import os
import sys

import fbp_mm  # noqa: F401
import fbp_mm.apis.pseudo_label as tool

real_append = tool.append_chunk
calls = []


def append_then_crash(path, rows):
    real_append(path, rows)
    calls.append(len(rows))
    if len(calls) == {after}:
        with open(path, 'a') as f:  # a torn row: no newline, cut score
            f.write('unlabeled/U13.jpg,3.0')
        os._exit({code})


tool.append_chunk = append_then_crash
sys.exit(tool.main(sys.argv[1:]))
"""


def _load_tool():
    return pseudo_label_module


def _reference_scores(model, cfg, paths):
    """Scores of ``paths`` by the model, without fbp_mm.apis."""
    pipeline = Compose(cfg.test_dataloader.dataset.pipeline)
    batch = pseudo_collate([pipeline(dict(img_path=p)) for p in paths])
    with torch.no_grad():
        data = model.data_preprocessor(batch, False)
        samples = model(**data, mode='predict')
    return np.array([s.pred_score.item() for s in samples])


def _read_csv(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """Demo faces, a tiny checkpoint and its in-process predictions."""
    tmp = tmp_path_factory.mktemp('pseudo_label')
    root = str(tmp / 'faces')
    generate_demo_faces(
        root, num_labeled=20, num_unlabeled=NUM_UNLABELED, size=32, seed=3)
    config = str(tmp / 'tiny_regressor.py')
    with open(config, 'w') as f:
        f.write(TINY_CONFIG.format(base=DEMO_CONFIG))
    torch.manual_seed(0)
    model = build_model_from_config(config)
    checkpoint = str(tmp / 'tiny.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    model = build_model_from_config(config, checkpoint)

    with open(osp.join(root, 'unlabeled.txt')) as f:
        unlabeled = [line.strip() for line in f if line.strip()]
    labeled = sorted(os.listdir(osp.join(root, 'Images')))
    unl_scores = _reference_scores(
        model, model.cfg, [osp.join(root, p) for p in unlabeled])
    lab_scores = _reference_scores(
        model, model.cfg, [osp.join(root, 'Images', n) for n in labeled])
    return dict(
        tmp=tmp,
        root=root,
        config=config,
        checkpoint=checkpoint,
        model=model,
        unlabeled=unlabeled,
        unlabeled_ref=dict(zip(unlabeled, unl_scores)),
        labeled=labeled,
        labeled_ref=lab_scores)


def _tool_args(setup, out, *extra):
    return [
        setup['config'], setup['checkpoint'], '--unlabeled',
        osp.join(setup['root'], 'unlabeled.txt'), '--out', out,
        '--batch-size',
        str(BATCH), '--chunk-size',
        str(CHUNK), '--model-name', 'tiny', '--round', '1', *extra
    ]


@pytest.fixture(scope='module')
def clean_run(setup):
    """One uninterrupted run of the tool as a subprocess."""
    out = str(setup['tmp'] / 'clean' / 'pseudo.csv')
    proc = run_tool(python_tool('pseudo_label.py', *_tool_args(setup, out)))
    return out, proc


def test_round_trip_matches_model(setup, clean_run):
    out, proc = clean_run
    assert 'Wrote 20 pseudo-labels' in proc.stdout
    assert not osp.exists(out + '.partial')
    with open(out) as f:
        assert f.readline().strip() == 'image,score,raw_score,model,round'

    dataset = ScoreListDataset(ann_file=out, data_root=setup['root'])
    assert len(dataset) == NUM_UNLABELED
    paths = [
        osp.relpath(dataset.get_data_info(i)['img_path'], setup['root'])
        for i in range(len(dataset))
    ]
    assert paths == setup['unlabeled']  # one row each, in list order
    scores = np.array([s[0] for s in dataset.get_gt_scores()])
    ref = np.array([setup['unlabeled_ref'][p] for p in paths])
    np.testing.assert_allclose(scores, ref, atol=1e-5, rtol=0)

    rows = _read_csv(out)
    assert all(r['score'] == r['raw_score'] for r in rows)
    assert {(r['model'], r['round']) for r in rows} == {('tiny', '1')}


def test_predict_scores_api(setup):
    paths = [osp.join(setup['root'], p) for p in setup['unlabeled']]
    got_paths, scores = predict_scores(
        setup['model'], paths, batch_size=3, progress=False)
    assert got_paths == paths and scores.shape == (NUM_UNLABELED, 1)
    ref = np.array([setup['unlabeled_ref'][p] for p in setup['unlabeled']])
    np.testing.assert_allclose(scores[:, 0], ref, atol=1e-5, rtol=0)


def test_complete_output_is_not_redone(setup, clean_run, capsys):
    out, _ = clean_run
    before = os.stat(out).st_mtime_ns
    assert _load_tool().main(_tool_args(setup, out)) == 0
    assert 'already complete' in capsys.readouterr().out
    assert os.stat(out).st_mtime_ns == before


def test_resume_after_crash(setup, clean_run, tmp_path, monkeypatch,
                            capsys):
    out = str(tmp_path / 'pseudo.csv')
    wrapper = tmp_path / 'crash_after_two_chunks.py'
    wrapper.write_text(
        textwrap.dedent(
            CRASH_WRAPPER.format(after=2, code=CRASH_EXIT_CODE)))
    proc = run_tool([sys.executable, str(wrapper), *_tool_args(setup, out)],
                    check=False)
    assert proc.returncode == CRASH_EXIT_CODE, proc.stderr[-3000:]
    assert not osp.exists(out)
    with open(out + '.partial') as f:
        text = f.read()
    assert not text.endswith('\n')  # the torn row is there
    assert text.count('\n') == 2 + 2 * CHUNK  # comment, header, 12 rows

    # Resume in-process; count what the second run predicts and appends.
    tool = _load_tool()
    appended = []
    real_append = tool.append_chunk

    def counting_append(path, rows):
        appended.extend(r[0] for r in rows)
        real_append(path, rows)

    monkeypatch.setattr(tool, 'append_chunk', counting_append)
    assert tool.main(_tool_args(setup, out)) == 0
    assert f'{2 * CHUNK} images already scored' in capsys.readouterr().out
    assert appended == setup['unlabeled'][2 * CHUNK:]
    assert not osp.exists(out + '.partial')

    resumed, clean = _read_csv(out), _read_csv(clean_run[0])
    assert [r['image'] for r in resumed] == [r['image'] for r in clean]
    assert len({r['image'] for r in resumed}) == NUM_UNLABELED
    for key in ('score', 'raw_score'):
        np.testing.assert_allclose([float(r[key]) for r in resumed],
                                   [float(r[key]) for r in clean],
                                   atol=1e-6,
                                   rtol=0)
    assert [(r['model'], r['round']) for r in resumed] == \
        [(r['model'], r['round']) for r in clean]


def _write_labels(setup, path, labels):
    with open(path, 'w') as f:
        for name, label in zip(setup['labeled'], labels):
            f.write(f'Images/{name} {label:.6f}\n')


def test_logistic_mapping(setup, tmp_path):
    # Labels on the 1-5 scale that rise with the model's raw score (plus a
    # little noise): a calibration target the logistic can learn.
    raw_lab = setup['labeled_ref']
    z = (raw_lab - raw_lab.mean()) / raw_lab.std()
    noise = np.random.default_rng(0).normal(0, 0.1, z.size)
    labels = np.clip(1 + 4 * expit(1.5 * z) + noise, 1, 5)
    fit_list = str(tmp_path / 'labeled.txt')
    _write_labels(setup, fit_list, labels)

    # The unlabeled set given as a folder this time.
    unl_dir = osp.join(setup['root'], 'unlabeled')
    out = str(tmp_path / 'mapped.csv')
    args = [
        setup['config'], setup['checkpoint'], '--unlabeled', unl_dir,
        '--out', out, '--batch-size', '8', '--fit-on', fit_list,
        '--fit-root', setup['root'], '--no-progress'
    ]
    assert _load_tool().main(args) == 0

    with open(str(tmp_path / 'mapped.logistic.json')) as f:
        fit = json.load(f)
    assert len(fit['params']) == 4 and fit['n'] == len(labels)
    assert fit['plcc_mapped'] >= fit['plcc_raw'] - 1e-9
    params = np.array(fit['params'])

    rows = _read_csv(out)
    assert len(rows) == NUM_UNLABELED
    assert {r['image'] for r in rows} == {
        osp.basename(p) for p in setup['unlabeled']}
    assert {r['model'] for r in rows} == {'tiny_regressor'}
    raw = np.array([float(r['raw_score']) for r in rows])
    score = np.array([float(r['score']) for r in rows])
    ref = np.array(
        [setup['unlabeled_ref']['unlabeled/' + r['image']] for r in rows])
    np.testing.assert_allclose(raw, ref, atol=1e-5, rtol=0)
    np.testing.assert_allclose(score, map_scores(raw, params), atol=1e-6)
    assert stats.spearmanr(score, raw)[0] == pytest.approx(1.0)
    assert score.std() > 10 * raw.std()  # stretched to the label scale

    dataset = ScoreListDataset(ann_file=out, data_root=unl_dir)
    assert len(dataset) == NUM_UNLABELED

    mae_raw = np.abs(raw_lab - labels).mean()
    mae_mapped = np.abs(map_scores(raw_lab, params) - labels).mean()
    assert mae_mapped <= mae_raw
    assert fit['mae_mapped'] == pytest.approx(mae_mapped, abs=1e-4)
    assert fit['mae_raw'] == pytest.approx(mae_raw, abs=1e-4)


def test_decreasing_fit_is_refused(setup, tmp_path):
    raw_lab = setup['labeled_ref']
    z = (raw_lab - raw_lab.mean()) / raw_lab.std()
    fit_list = str(tmp_path / 'reversed.txt')
    _write_labels(setup, fit_list, 3 - z)
    out = str(tmp_path / 'reversed.csv')
    with pytest.raises(RuntimeError, match='decreasing'):
        _load_tool().main(
            _tool_args(setup, out, '--fit-on', fit_list, '--fit-root',
                       setup['root'], '--no-progress'))
    assert not osp.exists(out)
    # the raw scores survive for a later run
    assert osp.exists(out + '.partial')


def test_retrained_model_never_resumes_old_rows(setup, tmp_path, capsys):
    """A new checkpoint written to the same path starts the rows over."""
    out = str(tmp_path / 'pseudo.csv')
    ckpt = str(tmp_path / 'best.pth')
    state = setup['model'].state_dict()
    torch.save({'state_dict': state, 'meta': {}}, ckpt)
    tool = _load_tool()
    args = [
        setup['config'], ckpt, '--unlabeled',
        osp.join(setup['root'], 'unlabeled.txt'), '--out', out,
        '--batch-size', str(BATCH), '--chunk-size', str(CHUNK),
        '--no-progress'
    ]
    # An interrupted run of the first model: 6 rows of made-up scores.
    meta = dict(
        config=osp.abspath(setup['config']),
        checkpoint=osp.abspath(ckpt),
        checkpoint_sha256=tool.file_sha256(ckpt),
        cfg_options={})
    tool.start_partial(out + '.partial', meta,
                       [(p, '123.0') for p in setup['unlabeled'][:CHUNK]])
    # "Retrain": other weights, same path.
    torch.save({'state_dict': {k: v + 1 if v.is_floating_point() else v
                               for k, v in state.items()}, 'meta': {}},
               ckpt)
    assert tool.main(args) == 0
    assert 'Starting over' in capsys.readouterr().out
    raw = [float(r['raw_score']) for r in _read_csv(out)]
    assert 123.0 not in raw
    # And a complete output of the old model is not taken as done.
    before = open(out).read()
    torch.save({'state_dict': state, 'meta': {}}, ckpt)
    assert tool.main(args) == 0
    assert 'will be replaced' in capsys.readouterr().out
    assert open(out).read() != before


def test_fused_run_never_resumes_unfused_rows(setup, tmp_path, capsys):
    """--fuse scores with the network rewritten for inference: rows of an
    unfused run are not mixed in, and the source file says so."""
    out = str(tmp_path / 'pseudo.csv')
    tool = _load_tool()
    meta = dict(
        config=osp.abspath(setup['config']),
        checkpoint=osp.abspath(setup['checkpoint']),
        checkpoint_sha256=tool.file_sha256(setup['checkpoint']),
        cfg_options={})
    tool.start_partial(out + '.partial', meta,
                       [(p, '123.0') for p in setup['unlabeled'][:CHUNK]])
    assert tool.main(_tool_args(setup, out, '--no-progress', '--fuse')) == 0
    assert 'Starting over' in capsys.readouterr().out
    rows = _read_csv(out)
    raw = np.array([float(r['raw_score']) for r in rows])
    ref = np.array([setup['unlabeled_ref'][r['image']] for r in rows])
    np.testing.assert_allclose(raw, ref, atol=1e-5, rtol=0)
    with open(out + '.source.json') as f:
        assert json.load(f)['fuse'] is True
