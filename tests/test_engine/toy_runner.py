"""A tiny MMEngine runner set-up whose checkpoints are real runner ones."""
import itertools

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.runner import Runner, load_checkpoint
from mmpretrain.registry import MODELS
from torch.utils.data import Dataset

_RUN_IDS = itertools.count()


@MODELS.register_module('ToyCheckpointModel', force=True)
class ToyModel(BaseModel):
    """Linear regression on 2 inputs.

    Args:
        read_ckpt (str, optional): Load this checkpoint with MMEngine's
            ``load_checkpoint`` while being built, as a distiller does with
            its teacher.
        init_cfg (dict, optional): As for any MMEngine module.
    """

    def __init__(self, read_ckpt=None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.fc = nn.Linear(2, 1)
        if read_ckpt is not None:
            load_checkpoint(self, read_ckpt, map_location='cpu')

    def forward(self, inputs, targets=None, mode='tensor'):
        out = self.fc(inputs).squeeze(-1)
        if mode == 'loss':
            return dict(loss=((out - targets)**2).mean())
        if mode == 'predict':
            return list(out.detach())
        return out


class ToyData(Dataset):
    """y = x0 - 2 x1 on a fixed grid."""

    metainfo = dict(task='toy')

    def __len__(self):
        return 8

    def __getitem__(self, i):
        x = torch.tensor([i / 8, (7 - i) / 8])
        return dict(inputs=x, targets=x[0] - 2 * x[1])


def toy_runner(work_dir, runner_cls=Runner, **kwargs):
    """A runner training :class:`ToyModel` with Adam, one checkpoint per
    epoch, and a test loop dumping predictions to ``work_dir/preds.pkl``."""
    loader = dict(
        dataset=ToyData(),
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=4,
        collate_fn=dict(type='default_collate'))
    cfg = dict(
        model=ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=loader,
        optim_wrapper=dict(optimizer=dict(type='Adam', lr=0.01)),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        test_dataloader=loader,
        test_cfg=dict(),
        test_evaluator=dict(
            type='DumpResults', out_file_path=f'{work_dir}/preds.pkl'),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=1)),
        default_scope='mmpretrain',
        randomness=dict(seed=0),
        experiment_name=f'toy_{runner_cls.__name__}_{next(_RUN_IDS)}')
    cfg.update(kwargs)
    return runner_cls(**cfg)
