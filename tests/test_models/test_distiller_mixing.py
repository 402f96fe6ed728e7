"""Stock MMPretrain models as teacher and student of the distiller."""
import torch
from mmengine.optim import build_optim_wrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample


def test_swin_teacher_distils_into_edgenext_student():
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='TeacherStudentDistiller',
            student=dict(
                cfg_path='mmpretrain::edgenext/edgenext-xxsmall_8xb256_in1k.py',
                head=dict(
                    _delete_=True, type='RegressionHead', in_channels=168)),
            teacher=dict(
                cfg_path='mmpretrain::swin_transformer/swin-tiny_16xb64_in1k.py',
                backbone=dict(img_size=64, pad_small_map=True),
                head=dict(
                    _delete_=True, type='RegressionHead', in_channels=768)),
            # A random teacher is enough to check the wiring.
            teacher_ckpt_optional=True,
            student_recorders=dict(score=dict(module='head')),
            teacher_recorders=dict(score=dict(module='head')),
            distill_losses=dict(loss_kd=dict(type='L1Loss')),
            loss_forward_mappings=dict(
                loss_kd=dict(
                    pred=dict(from_student=True, recorder='score'),
                    target=dict(from_student=False, recorder='score')))))
    model.init_weights()
    # The ImageNet config's Mixup/CutMix sits in the student's own
    # preprocessor; the distiller's preprocessor must not mix scores.
    assert model.data_preprocessor.batch_augments is None
    teacher_before = {
        k: v.clone() for k, v in model.teacher.state_dict().items()
    }
    optim = build_optim_wrapper(model, dict(optimizer=dict(type='SGD',
                                                           lr=0.01)))
    data = dict(
        inputs=[torch.randint(0, 255, (3, 64, 64), dtype=torch.uint8)
                for _ in range(4)],
        data_samples=[DataSample().set_gt_score([float(i)]) for i in range(4)])
    log = model.train_step(data, optim)
    assert {'loss_mse', 'loss_kd'} <= set(log)
    log = model.train_step(data, optim)
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, teacher_before[key]), key
    preds = model.test_step(data)
    assert preds[0].pred_score.shape == (1, )
