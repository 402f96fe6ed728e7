"""TeacherTemperatureHook: linear warm-up through the unwrapped model."""
from types import SimpleNamespace

import pytest
import torch.nn as nn
from mmengine.logging import MessageHub

from fbp_mm.engine.hooks import TeacherTemperatureHook


class Head(nn.Module):
    teacher_temp = 0.0


class Model(nn.Module):

    def __init__(self):
        super().__init__()
        self.head = Head()


class Wrapper(nn.Module):
    """Stands for DDP: the model is its ``module``."""

    def __init__(self, module):
        super().__init__()
        self.module = module


def fake_runner(model, iteration, iters_per_epoch=10):
    return SimpleNamespace(model=model, iter=iteration,
                           train_dataloader=[None] * iters_per_epoch,
                           message_hub=MessageHub.get_instance('temp_hook'))


def test_linear_warmup_then_constant():
    hook = TeacherTemperatureHook(start=0.04, end=0.07, warmup_epochs=2)
    model = Model()
    for iteration, expected in [(0, 0.04), (5, 0.0475), (10, 0.055),
                                (20, 0.07), (35, 0.07)]:
        hook.before_train_iter(fake_runner(model, iteration), 0)
        assert model.head.teacher_temp == pytest.approx(expected)
    runner = fake_runner(model, 10)
    hook.before_train_iter(runner, 0)
    assert runner.message_hub.get_scalar(
        'train/teacher_temp').current() == pytest.approx(0.055)
    assert TeacherTemperatureHook(warmup_epochs=0).value(0, 10) == 0.07


def test_reaches_a_wrapped_model_and_names_a_missing_attribute():
    from mmengine.registry import MODEL_WRAPPERS
    if 'TestWrapper' not in MODEL_WRAPPERS:
        MODEL_WRAPPERS.register_module('TestWrapper', module=Wrapper)
    hook = TeacherTemperatureHook(start=0.04, end=0.07, warmup_epochs=1)
    model = Model()
    hook.before_train_iter(fake_runner(Wrapper(model), 5), 0)
    assert model.head.teacher_temp == pytest.approx(0.055)
    with pytest.raises(AttributeError, match='sets model.head.temp_x'):
        TeacherTemperatureHook(attr='temp_x').before_train_iter(
            fake_runner(model, 0), 0)
    with pytest.raises(ValueError, match='positive'):
        TeacherTemperatureHook(start=0)
