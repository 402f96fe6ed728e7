"""Warm-up of the teacher temperature of self-distillation heads."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpretrain.registry import HOOKS
from mmpretrain.utils import get_ori_model


@HOOKS.register_module()
class TeacherTemperatureHook(Hook):
    """Raise a head's teacher temperature linearly, then hold it.

    DINO-style training starts with a very sharp teacher (low temperature)
    and relaxes it over the first epochs; too high a temperature early
    lets the outputs collapse to uniform. Before every training iteration
    the hook sets ``<model>.head.<attr>`` to

    ``start + (end - start) * min(1, epoch_progress / warmup_epochs)``

    where ``epoch_progress`` counts epochs in fractions of an epoch (so the
    value moves every iteration). The model is reached through
    MMPretrain's ``get_ori_model``, so DDP and other wrappers work.
    The value is logged as ``teacher_temp``.

    Args:
        start (float): Temperature at iteration 0. Defaults to 0.04.
        end (float): Temperature after the warm-up. Defaults to 0.07.
        warmup_epochs (float): Length of the warm-up in epochs; 0 sets
            ``end`` from the start. Defaults to 30.
        attr (str): Attribute of ``model.head`` to set. Defaults to
            ``'teacher_temp'``.

    Example:
        >>> custom_hooks = [dict(type='TeacherTemperatureHook', start=0.04,
        ...                      end=0.07, warmup_epochs=30)]
    """

    priority = 'NORMAL'

    def __init__(self,
                 start: float = 0.04,
                 end: float = 0.07,
                 warmup_epochs: float = 30,
                 attr: str = 'teacher_temp') -> None:
        if start <= 0 or end <= 0:
            raise ValueError('Temperatures must be positive, got '
                             f'start={start}, end={end}')
        if warmup_epochs < 0:
            raise ValueError(f'warmup_epochs must be >= 0, got '
                             f'{warmup_epochs}')
        self.start = start
        self.end = end
        self.warmup_epochs = warmup_epochs
        self.attr = attr

    def value(self, iteration: int, iters_per_epoch: int) -> float:
        """The temperature at a (0-based) training iteration."""
        if self.warmup_epochs == 0:
            return self.end
        progress = iteration / max(iters_per_epoch, 1) / self.warmup_epochs
        return self.start + (self.end - self.start) * min(1.0, progress)

    def before_train_iter(self,
                          runner: Runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        """Set the temperature for this iteration."""
        model = get_ori_model(runner.model)
        head = getattr(model, 'head', None)
        if head is None or not hasattr(head, self.attr):
            raise AttributeError(
                f'TeacherTemperatureHook sets model.head.{self.attr}, but '
                f'{type(model).__name__} has no such attribute')
        temp = self.value(runner.iter, len(runner.train_dataloader))
        setattr(head, self.attr, temp)
        runner.message_hub.update_scalar('train/teacher_temp', temp)
