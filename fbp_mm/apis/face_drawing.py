# Copyright (c) fbp_mm contributors. All rights reserved.
"""Pictures of scored faces through MMEngine's ``Visualizer``."""
import os
import os.path as osp
from typing import List, Sequence, Tuple

import mmcv
import numpy as np
from mmengine.visualization import Visualizer

__all__ = ['draw_faces', 'draw_faces_rgb', 'picture_names']

_VISUALIZER = 'fbp_mm_face_scores'


def picture_names(inputs: Sequence) -> List[str]:
    """Relative names for the pictures of ``inputs``: paths below their
    common folder (same-name files of different folders stay apart), an
    array as ``array_<index>.png``.

    Example:
        >>> picture_names(['/d/a/x.jpg', '/d/b/x.jpg'])
        ['a/x.jpg', 'b/x.jpg']
    """
    paths = [osp.abspath(p) for p in inputs if not isinstance(p, np.ndarray)]
    if len(paths) > 1:
        common = osp.commonpath(paths)
    elif paths:
        common = osp.dirname(paths[0])
    names = []
    for index, item in enumerate(inputs):
        if isinstance(item, np.ndarray):
            names.append(f'array_{index}.png')
        else:
            names.append(osp.relpath(osp.abspath(item), common))
    return names


def draw_faces(img: np.ndarray, faces: Sequence[Tuple[tuple, float]],
               out_file: str) -> None:
    """Draw face boxes with their scores on a BGR image and write it.

    Args:
        img (np.ndarray): BGR ``uint8`` image.
        faces (Sequence[tuple]): ``(box, score)`` pairs, ``box`` as
            ``(x1, y1, x2, y2)`` pixels.
        out_file (str): The picture to write (folders are made).

    Example:
        >>> import tempfile
        >>> img = np.zeros((64, 64, 3), dtype=np.uint8)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     draw_faces(img, [((10, 10, 60, 60), 3.2)], tmp + '/a/face.png')
        ...     mmcv.imread(tmp + '/a/face.png').shape
        (64, 64, 3)
    """
    drawn = draw_faces_rgb(
        mmcv.bgr2rgb(img), [(box, f'{score:.2f}') for box, score in faces])
    os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
    mmcv.imwrite(mmcv.rgb2bgr(drawn), out_file)


def draw_faces_rgb(rgb: np.ndarray,
                   faces: Sequence[Tuple[tuple, str]]) -> np.ndarray:
    """Face boxes with a label each on an RGB image (a drawn copy).

    Args:
        rgb (np.ndarray): RGB ``uint8`` image.
        faces (Sequence[tuple]): ``(box, label)`` pairs.

    Returns:
        np.ndarray: The drawn RGB image; "no face" written when empty.
    """
    visualizer = Visualizer.get_instance(_VISUALIZER)
    visualizer.set_image(rgb)
    thickness = max(1, round(max(rgb.shape[:2]) / 300))
    if faces:
        boxes = np.array([box for box, _ in faces], dtype=np.float32)
        visualizer.draw_bboxes(
            boxes, edge_colors='lime', line_widths=thickness)
        positions = np.stack([boxes[:, 0], np.maximum(boxes[:, 1] - 2, 0)],
                             axis=1)
        visualizer.draw_texts(
            [label for _, label in faces],
            positions,
            colors='lime',
            font_sizes=max(8, int(12 * thickness)),
            vertical_alignments='bottom',
            bboxes=dict(facecolor='black', alpha=0.6, pad=1,
                        edgecolor='none'))
    else:
        visualizer.draw_texts('no face', np.array([4, 4]), colors='red',
                              font_sizes=max(8, int(12 * thickness)),
                              vertical_alignments='top')
    return visualizer.get_image()
