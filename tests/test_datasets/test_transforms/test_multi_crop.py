"""MultiCrop: number, order and sizes of the views; packing; bad options."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import TRANSFORMS

from fbp_mm.datasets.transforms import MultiCrop


def face_image():
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (90, 70, 3)).astype(np.uint8)


def test_global_views_first_then_local_views():
    crop = MultiCrop(global_size=48, local_size=24, num_local=3)
    views = crop(dict(img=face_image()))['img']
    assert [v.shape for v in views] == [(48, 48, 3)] * 2 + [(24, 24, 3)] * 3
    assert all(v.dtype == np.uint8 for v in views)
    # different crops, not copies
    assert not np.array_equal(views[0], views[1])


def test_no_local_views_and_packing_as_a_list_of_tensors():
    pipeline = [
        TRANSFORMS.build(dict(type='MultiCrop', global_size=32,
                              num_local=0)),
        TRANSFORMS.build(dict(type='PackInputs')),
    ]
    results = dict(img=face_image())
    for transform in pipeline:
        results = transform(results)
    inputs = results['inputs']
    assert isinstance(inputs, list) and len(inputs) == 2
    assert all(isinstance(x, torch.Tensor) and x.shape == (3, 32, 32)
               for x in inputs)


@pytest.mark.parametrize('options, message', [
    (dict(num_local=-1), 'num_local must be >= 0'),
    (dict(blur_probs=(1.0, 0.1)), 'blur_probs takes 3 probabilities'),
    (dict(jitter=dict(brightness=0.4, hue=0.1)), 'jitter hue must be 0'),
])
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        MultiCrop(**options)
