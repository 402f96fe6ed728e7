# Copyright (c) fbp_mm contributors. All rights reserved.
"""Images with their predicted (and true) scores: :class:`ScoreVisualizer`.
"""
from typing import Optional

import mmcv
import numpy as np
from mmpretrain.registry import VISUALIZERS
from mmpretrain.structures import DataSample
from mmpretrain.visualization import UniversalVisualizer

__all__ = ['ScoreVisualizer']


@VISUALIZERS.register_module()
class ScoreVisualizer(UniversalVisualizer):
    """MMPretrain's visualizer that also draws regression scores.

    :meth:`visualize_score` writes ``pred`` (and ``true``) scores on the
    image; the picture goes to ``out_file`` or, without one, to every
    visualization backend of the visualizer (``LocalVisBackend``,
    ``TensorboardVisBackend``, ...) through ``add_image``. Everything
    :class:`~mmpretrain.visualization.UniversalVisualizer` draws still
    works, so the class can be any config's ``visualizer``.

    Example:
        >>> import torch
        >>> visualizer = ScoreVisualizer()
        >>> img_rgb = np.zeros((64, 64, 3), dtype=np.uint8)
        >>> sample = DataSample()
        >>> sample.set_field(torch.tensor([3.2]), 'pred_score')
        >>> drawn = visualizer.visualize_score(img_rgb, sample)
        >>> drawn.shape  # enlarged to min_width
        (256, 256, 3)
    """

    def visualize_score(self,
                        image: np.ndarray,
                        data_sample: DataSample,
                        draw_gt: bool = True,
                        draw_pred: bool = True,
                        min_width: int = 256,
                        show: bool = False,
                        wait_time: float = 0,
                        name: str = '',
                        step: int = 0,
                        out_file: Optional[str] = None) -> np.ndarray:
        """Draw the scores of one sample on its (RGB) image.

        Args:
            image (np.ndarray): RGB ``uint8`` image.
            data_sample (DataSample): With ``pred_score`` and, optionally,
                ``gt_score``.
            draw_gt (bool): Write the true score. Defaults to True.
            draw_pred (bool): Write the predicted score. Defaults to True.
            min_width (int): Enlarge narrower images to this width first,
                so that the text stays legible. Defaults to 256.
            show (bool): Show the picture in a window. Defaults to False.
            wait_time (float): Seconds to show it. Defaults to 0.
            name (str): Image name for the backends. Defaults to ''.
            step (int): Step for the backends. Defaults to 0.
            out_file (str, optional): Write the picture here (BGR file)
                instead of to the backends. Defaults to None.

        Returns:
            np.ndarray: The drawn RGB image.
        """
        if image.shape[1] < min_width:
            scale = min_width / image.shape[1]
            image = mmcv.imrescale(image, scale, interpolation='bilinear')
        self.set_image(image)
        lines = []
        for wanted, key, label in [(draw_pred, 'pred_score', 'pred'),
                                   (draw_gt, 'gt_score', 'true')]:
            if wanted and key in data_sample:
                values = data_sample.get(key).reshape(-1).tolist()
                lines.append(label + ' ' +
                             ', '.join(f'{v:.3f}' for v in values))
        size = max(10, image.shape[1] // 24)
        for i, text in enumerate(lines):
            self.draw_texts(
                text,
                np.array([4, 4 + i * size * 1.6]),
                colors='white',
                font_sizes=size,
                vertical_alignments='top',
                bboxes=dict(facecolor='black', alpha=0.6, pad=1,
                            edgecolor='none'))
        drawn = self.get_image()
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(mmcv.rgb2bgr(drawn), out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn
