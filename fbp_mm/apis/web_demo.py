# Copyright (c) fbp_mm contributors. All rights reserved.
"""A local web page that scores the faces of a dropped photo.

:func:`score_photo` does the work (faces, boxes, one score per model and
face) and needs no web package; :func:`build_demo` wraps it in a Gradio
page (``pip install -r requirements/web.txt``), started by
``tools/web_demo.py``.
"""
from typing import Dict, List, Tuple

import numpy as np

from .face_drawing import draw_faces_rgb
from .face_score_inferencer import FaceScoreInferencer

__all__ = ['score_photo', 'build_demo']


def score_photo(rgb: np.ndarray,
                scorers: Dict[str, FaceScoreInferencer]
                ) -> Tuple[np.ndarray, List[dict]]:
    """Find the faces of a photo and score each with every model.

    The faces are those the first model's detector finds; every model
    scores those same boxes, so the rows line up.

    Args:
        rgb (np.ndarray): RGB ``uint8`` photo (what a web page hands over).
        scorers (dict[str, FaceScoreInferencer]): Score name (e.g.
            ``'beauty'``, ``'quality'``) to its inferencer.

    Returns:
        tuple[np.ndarray, list[dict]]: The photo with numbered boxes (RGB)
        and one row per face: ``face`` (its number), ``box`` and a score
        per name. No face: the photo unchanged and no rows.

    Example:
        >>> picture, rows = score_photo(
        ...     photo, {'beauty': inferencer})  # doctest: +SKIP
        >>> rows[0]['beauty']  # doctest: +SKIP
    """
    if not scorers:
        raise ValueError('score_photo needs at least one scorer.')
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    first = next(iter(scorers.values()))
    boxes = [box for box, _ in first.face_boxes(bgr)]
    rows = [dict(face=i + 1, box=[round(v, 1) for v in box])
            for i, box in enumerate(boxes)]
    for name, scorer in scorers.items():
        for row, box in zip(rows, boxes):
            sample = scorer.pipeline_sample(bgr, box)
            row[name] = round(scorer.score_samples([sample])[0], 4)
    labels = [f'{r["face"]}: ' + ', '.join(
        f'{n} {r[n]:.2f}' for n in scorers) for r in rows]
    return draw_faces_rgb(rgb, list(zip(boxes, labels))), rows


def build_demo(scorers: Dict[str, FaceScoreInferencer]):
    """The Gradio page over :func:`score_photo`.

    Raises:
        ImportError: Saying how to install Gradio.
    """
    try:
        import gradio as gr
    except ImportError as err:
        raise ImportError('The web demo needs Gradio: pip install -r '
                          'requirements/web.txt') from err

    def run(photo):
        if photo is None:
            return None, []
        picture, rows = score_photo(photo, scorers)
        table = [[r['face']] + [r[n] for n in scorers] for r in rows]
        return picture, table

    return gr.Interface(
        fn=run,
        inputs=gr.Image(type='numpy', label='photo'),
        outputs=[
            gr.Image(type='numpy', label='faces'),
            gr.Dataframe(headers=['face'] + list(scorers), label='scores')
        ],
        flagging_mode='never',  # no Flag button writing files
        title='fbp_mm: face scores',
        description='Drop a photo: each face found is boxed and scored by '
        + ', '.join(scorers) + '.')
