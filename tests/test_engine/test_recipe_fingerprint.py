"""What a stage's fingerprint counts: the weights the run reads."""
import os.path as osp

from mmengine.config import Config

from fbp_mm.engine.recipe.fingerprint import FileHasher, config_fingerprint


def test_only_the_models_weights_and_load_from_count(tmp_path):
    files = {}
    for name in ('init', 'teacher', 'resume', 'stale'):
        files[name] = str(tmp_path / f'{name}.pth')
        with open(files[name], 'w') as f:
            f.write(name)
    cfg = Config(dict(
        pretrained=files['stale'],  # a variable the model no longer uses
        model=dict(
            type='TeacherStudentDistiller',
            student=dict(backbone=dict(init_cfg=dict(
                type='Pretrained', checkpoint=files['init']))),
            teacher_ckpt=files['teacher']),
        load_from=files['resume']))
    hasher = FileHasher()
    found = {k for k in config_fingerprint(cfg, hasher)
             if k.startswith('weights:')}
    assert found == {f'weights:{osp.abspath(files[n])}'
                     for n in ('init', 'teacher', 'resume')}
    before = config_fingerprint(cfg, hasher)
    with open(files['stale'], 'w') as f:
        f.write('changed')
    assert config_fingerprint(cfg, FileHasher()) == before
    with open(files['init'], 'w') as f:
        f.write('retrained')
    assert config_fingerprint(cfg, FileHasher()) != before
    assert not any(k.startswith('weights:') for k in config_fingerprint(
        cfg, hasher, weights=False))


def test_pseudo_label_stage_counts_fuse_only_when_on(tmp_path):
    from fbp_mm.engine.recipe.stages import PseudoLabelStage
    config = tmp_path / 'model.py'
    config.write_text("model = dict(type='ImageClassifier')\n")
    checkpoint = tmp_path / 'model.pth'
    checkpoint.write_text('weights')
    unlabeled = tmp_path / 'unlabeled.txt'
    unlabeled.write_text('a.png\n')

    def fingerprint(**kwargs):
        stage = PseudoLabelStage(
            'pseudo', str(config), str(checkpoint), str(unlabeled),
            round=2, recipe_dir=str(tmp_path), **kwargs)
        return stage.fingerprint(FileHasher())

    plain, fused = fingerprint(), fingerprint(fuse=True)
    # an unfused stage keeps the fingerprint it had before the switch
    assert plain['args'] == '[null, null, 2]'
    assert fused['args'] == '[null, null, 2, "fuse"]'
    assert {k: v for k, v in fused.items() if k != 'args'} == {
        k: v for k, v in plain.items() if k != 'args'}
