"""Draw predicted and true scores on test images."""
import os.path as osp
from typing import Optional, Sequence

import cv2
import mmcv
import numpy as np
from mmengine.hooks import Hook
from mmengine.runner import Runner
from mmpretrain.registry import HOOKS
from mmpretrain.structures import DataSample


def draw_scores(img: np.ndarray, sample: DataSample,
                min_width: int = 256) -> np.ndarray:
    """Return a copy of ``img`` (BGR) with its scores written on top.

    Args:
        img (np.ndarray): BGR image.
        sample (DataSample): Sample with ``pred_score`` and optionally
            ``gt_score``.
        min_width (int): Small images are enlarged to this width first so
            the text stays legible. Defaults to 256.

    Returns:
        np.ndarray: The drawn image.
    """
    if img.shape[1] < min_width:
        scale = min_width / img.shape[1]
        img = cv2.resize(img, None, fx=scale, fy=scale,
                         interpolation=cv2.INTER_LINEAR)
    else:
        img = img.copy()
    lines = []
    if 'pred_score' in sample:
        pred = ', '.join(f'{v:.3f}' for v in sample.pred_score.tolist())
        lines.append(f'pred {pred}')
    if 'gt_score' in sample:
        gt = ', '.join(f'{v:.3f}' for v in sample.gt_score.tolist())
        lines.append(f'true {gt}')
    for i, text in enumerate(lines):
        org = (6, 22 + 24 * i)
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0),
                    3, cv2.LINE_AA)
        cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (255, 255, 255), 1, cv2.LINE_AA)
    return img


@HOOKS.register_module()
class ScoreVisualizationHook(Hook):
    """Save (or show) test images with predicted and true scores drawn.

    ``tools/test.py --show-dir DIR`` adds this hook. Images go to
    ``<work_dir>/<timestamp>/<out_dir>/`` under their own file names.

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
            drawn = draw_scores(mmcv.imread(img_path), sample)
            if self.out_dir is not None:
                mmcv.imwrite(drawn,
                             osp.join(self.out_dir, osp.basename(img_path)))
            if self.show:
                mmcv.imshow(drawn, wait_time=int(self.wait_time * 1000))
