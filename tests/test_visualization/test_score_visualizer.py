"""ScoreVisualizer: scores drawn through MMEngine's visualizer backends."""
import numpy as np
import torch
from mmpretrain.structures import DataSample

from fbp_mm.engine.hooks.score_visualization_hook import picture_name
from fbp_mm.visualization import ScoreVisualizer


def sample() -> DataSample:
    s = DataSample()
    s.set_field(torch.tensor([3.25]), 'pred_score', field_type='data')
    s.set_field(torch.tensor([2.5]), 'gt_score', field_type='data')
    return s


def test_scores_drawn_to_a_file_and_to_the_backends(tmp_path):
    img = np.full((64, 64, 3), 128, np.uint8)
    visualizer = ScoreVisualizer(
        name='score_test', save_dir=str(tmp_path / 'vis'),
        vis_backends=[dict(type='LocalVisBackend')])
    out = tmp_path / 'a' / 'face.png'
    drawn = visualizer.visualize_score(img, sample(), out_file=str(out))
    # small images are enlarged so that the text stays legible
    assert drawn.shape == (256, 256, 3) and out.stat().st_size > 1000
    top, bottom = drawn[:40], drawn[200:]
    assert (top != 128).any() and (bottom == 128).all()
    only_pred = visualizer.visualize_score(img, sample(), draw_gt=False,
                                           out_file=str(out))
    assert (only_pred[:40] != 128).sum() < (top != 128).sum()
    # no out_file: every backend gets it (here the local one)
    visualizer.visualize_score(img, sample(), name='face', step=3)
    saved = list((tmp_path / 'vis').rglob('face_3.png'))
    assert len(saved) == 1


def test_picture_names_keep_folders_apart():
    assert picture_name('/data/x/a/1.jpg', '/data/x') == 'a/1.jpg'
    assert picture_name('/data/x/b/1.jpg', '/data/x') == 'b/1.jpg'
    assert picture_name('/elsewhere/1.jpg', '/data/x') == 'elsewhere/1.jpg'
    assert picture_name('/elsewhere/1.jpg', None) == 'elsewhere/1.jpg'
