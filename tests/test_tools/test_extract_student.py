"""A distiller checkpoint becomes a student-only checkpoint with the
student's plain config."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS
from tool_runner import REPO_ROOT, python_tool, run_tool

from fbp_mm.models.distillers import (extract_student_checkpoint,
                                      student_config)

DEMO_KD = osp.join(REPO_ROOT, 'configs', 'fbp', 'demo',
                   'mae_ms_kd_demo-faces.py')


def demo_distiller_checkpoint(tmp_path):
    """A checkpoint as the runner writes it for the demo distiller config:
    student, teacher and connector weights, the config text in meta."""
    cfg = Config.fromfile(DEMO_KD)
    cfg.model.student.backbone.init_cfg = None
    torch.manual_seed(0)
    student = MODELS.build(copy.deepcopy(cfg.model.student))
    with torch.no_grad():
        for param in student.parameters():
            param.add_(torch.randn_like(param))
    state = {f'student.{k}': v for k, v in student.state_dict().items()}
    state['teacher.backbone.cls_token'] = torch.zeros(1, 1, 64)
    state['connectors.feat_proj.proj.weight'] = torch.zeros(64, 32)
    path = str(tmp_path / 'epoch_1.pth')
    torch.save(
        dict(
            state_dict={f'module.{k}': v for k, v in state.items()},
            meta=dict(cfg=cfg.pretty_text, epoch=1),
            optimizer={}), path)
    return path, student


def check_student_file(out, student):
    ckpt = torch.load(out, weights_only=False)
    assert set(ckpt) == {'state_dict', 'meta'}
    assert set(ckpt['state_dict']) == set(student.state_dict())
    text = ckpt['meta']['cfg']
    assert 'teacher' not in text and 'TeacherStudentDistiller' not in text
    cfg = Config.fromstring(text, file_format='.py')
    assert cfg.model.type == 'ImageClassifier'
    assert cfg.test_dataloader.dataset.type  # data and evaluation stay
    plain = MODELS.build(cfg.model)
    load_checkpoint(plain, out, map_location='cpu', strict=True)
    x = torch.rand(2, 3, 64, 64)
    plain.eval()
    student.eval()
    with torch.no_grad():
        assert torch.equal(plain(x), student(x))
    return ckpt


def test_extract_student_checkpoint(tmp_path):
    in_ckpt, student = demo_distiller_checkpoint(tmp_path)
    out = str(tmp_path / 'out' / 'student.pth')
    count, cfg = extract_student_checkpoint(
        in_ckpt, out, config_out=str(tmp_path / 'student.py'))
    assert count == len(student.state_dict())
    ckpt = check_student_file(out, student)
    assert ckpt['meta']['epoch'] == 1
    assert ckpt['meta']['extracted_from'] == in_ckpt
    written = Config.fromfile(str(tmp_path / 'student.py'))
    assert written.model.to_dict() == cfg.model.to_dict()
    # The distiller normalises with the top-level data_preprocessor, which
    # the student config keeps.
    assert written.data_preprocessor.to_rgb is True


def test_student_config_needs_a_distiller():
    with pytest.raises(ValueError, match='Not a distiller config'):
        student_config(Config(dict(model=dict(type='ImageClassifier'))))
    cfg = student_config(
        Config(
            dict(
                model=dict(
                    type='TeacherStudentDistiller',
                    student=dict(type='ImageClassifier'),
                    teacher=dict(type='ImageClassifier'),
                    data_preprocessor=dict(mean=[1, 2, 3], std=[1, 1, 1])),
                teacher_config='t.py',
                kd_losses=dict(),
                train_cfg=dict(max_epochs=3))))
    assert cfg.to_dict() == dict(
        model=dict(
            type='ImageClassifier',
            data_preprocessor=dict(mean=[1, 2, 3], std=[1, 1, 1])),
        train_cfg=dict(max_epochs=3))


def test_checkpoint_without_student_or_config(tmp_path):
    plain = str(tmp_path / 'plain.pth')
    torch.save({'state_dict': {'backbone.w': torch.zeros(1)}}, plain)
    with pytest.raises(KeyError, match="no 'student.' weights"):
        extract_student_checkpoint(plain, str(tmp_path / 'never.pth'))
    assert not osp.exists(tmp_path / 'never.pth')
    bare = str(tmp_path / 'bare.pth')
    torch.save({'state_dict': {'student.w': torch.ones(1)}}, bare)
    with pytest.raises(ValueError, match='carries no config'):
        extract_student_checkpoint(
            bare, str(tmp_path / 'x.pth'), config_out=str(tmp_path / 'x.py'))
    with pytest.raises(ValueError, match='must not overwrite'):
        extract_student_checkpoint(bare, bare)


def test_cli_writes_checkpoint_and_config(tmp_path):
    in_ckpt, student = demo_distiller_checkpoint(tmp_path)
    out = str(tmp_path / 'student.pth')
    proc = run_tool(
        python_tool('extract_student.py', in_ckpt, out, '--out-config',
                    str(tmp_path / 'student.py')))
    assert f'to {out}' in proc.stdout
    check_student_file(out, student)
    assert osp.isfile(tmp_path / 'student.py')
    proc = run_tool(
        python_tool('extract_student.py', str(tmp_path / 'missing.pth'),
                    out), check=False)
    assert proc.returncode != 0
    assert 'missing.pth' in proc.stderr.splitlines()[-1]
