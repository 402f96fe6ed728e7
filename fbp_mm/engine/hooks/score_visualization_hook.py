"""Draw predicted and true scores on test images."""
import os.path as osp
from typing import Optional, Sequence

import mmcv
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpretrain.registry import HOOKS
from mmpretrain.structures import DataSample

from ...visualization import ScoreVisualizer


def picture_name(img_path: str, data_root: Optional[str]) -> str:
    """The picture's path below the output folder: the image's path below
    ``data_root`` (so same-name images of different folders stay apart),
    else its absolute path without the leading separator."""
    path = osp.abspath(img_path)
    if data_root:
        rel = osp.relpath(path, osp.abspath(data_root))
        if not rel.startswith('..'):
            return rel
    return path.lstrip(osp.sep)


@HOOKS.register_module()
class ScoreVisualizationHook(Hook):
    """Save (or show) test images with predicted and true scores drawn.

    ``tools/test.py --show-dir DIR`` adds this hook. The drawing is the
    runner's visualizer's when it is a
    :class:`~fbp_mm.visualization.ScoreVisualizer` (else one with the same
    backends is made). With ``out_dir`` images go to
    ``<work_dir>/<timestamp>/<out_dir>/``, under their paths below the
    test set's ``data_root``; without it, to the visualizer's backends
    (local files, TensorBoard, ...).

    Args:
        out_dir (str, optional): Output folder, relative to the run's log
            folder unless absolute. Defaults to None (no files).
        show (bool): Show each drawn image in a window. Defaults to False.
        interval (int): Draw every ``interval``-th test sample.
            Defaults to 1.
        wait_time (float): Seconds to show each image. Defaults to 2.

    Example:
        >>> custom_hooks = [dict(type='ScoreVisualizationHook',
        ...                      out_dir='scores', interval=10)]
    """

    def __init__(self,
                 out_dir: Optional[str] = None,
                 show: bool = False,
                 interval: int = 1,
                 wait_time: float = 2.0) -> None:
        self.out_dir = out_dir
        self.show = show
        self.interval = max(1, int(interval))
        self.wait_time = wait_time
        self._count = 0

    def before_test(self, runner: Runner) -> None:
        self._count = 0
        if self.out_dir is not None and not osp.isabs(self.out_dir):
            self.out_dir = osp.join(runner.log_dir, self.out_dir)
        visualizer = runner.visualizer
        if not isinstance(visualizer, ScoreVisualizer):
            visualizer = ScoreVisualizer.get_instance(
                'fbp_mm_score_visualization_hook',
                save_dir=runner.log_dir,
                vis_backends=(runner.cfg.get('visualizer')
                              or {}).get('vis_backends'))
        self._visualizer = visualizer
        dataset = getattr(runner.test_dataloader, 'dataset', None)
        self._data_root = getattr(dataset, 'data_root', None)

    def after_test_iter(self, runner: Runner, batch_idx: int,
                        data_batch: dict,
                        outputs: Sequence[DataSample]) -> None:
        for sample in outputs:
            self._count += 1
            if (self._count - 1) % self.interval:
                continue
            img_path = sample.get('img_path')
            if img_path is None:
                continue
            name = picture_name(img_path, self._data_root)
            self._visualizer.visualize_score(
                mmcv.imread(img_path, channel_order='rgb'),
                sample,
                show=self.show,
                wait_time=self.wait_time,
                name=name,
                step=self._count,
                out_file=None if self.out_dir is None else osp.join(
                    self.out_dir, name))
