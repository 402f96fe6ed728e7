"""Multi-crop views (two global, N local) for self-distillation."""
from typing import Dict, List, Sequence, Tuple

from mmengine.registry import DefaultScope
from mmpretrain.datasets.transforms import MultiView
from mmpretrain.registry import TRANSFORMS


def view_pipeline(size: int, scale: Tuple[float, float], flip_prob: float,
                  jitter: Dict[str, float], jitter_prob: float,
                  gray_prob: float, blur_prob: float,
                  blur_sigma: Tuple[float, float],
                  solarize_prob: float) -> List[dict]:
    """One view's augmentation, from MMPretrain's transforms."""
    return [
        dict(type='RandomResizedCrop', scale=size, crop_ratio_range=scale,
             backend='pillow', interpolation='bicubic'),
        dict(type='RandomFlip', prob=flip_prob, direction='horizontal'),
        dict(type='RandomApply', transforms=[dict(type='ColorJitter',
                                                  **jitter)],
             prob=jitter_prob),
        dict(type='RandomGrayscale', prob=gray_prob, keep_channels=True,
             channel_weights=(0.114, 0.587, 0.2989)),
        dict(type='GaussianBlur', magnitude_range=blur_sigma,
             magnitude_std='inf', prob=blur_prob),
        dict(type='Solarize', thr=128, prob=solarize_prob),
    ]


@TRANSFORMS.register_module()
class MultiCrop(MultiView):
    """Two global and ``num_local`` local crops of one image, as a list.

    The DINO multi-crop recipe, built from MMPretrain transforms
    (``RandomResizedCrop``, ``RandomFlip``, ``ColorJitter``,
    ``RandomGrayscale``, ``GaussianBlur``, ``Solarize``) and MMPretrain's
    :class:`MultiView`, which it extends: after it, ``results['img']`` is a
    list of ``2 + num_local`` images, global ones first, and
    ``PackInputs`` packs them as a list of tensors (one batch per view for
    :class:`~fbp_mm.models.selfsup.ProS`). The two global views differ as
    in DINO: the first is always blurred, the second rarely blurred and
    sometimes solarized; local views are blurred half of the time.
    Horizontal flips are fine for faces here (no landmarks in pretraining).

    Args:
        global_size (int): Side of the global crops. Defaults to 224.
        local_size (int): Side of the local crops. Defaults to 96.
        num_local (int): Local crops per image (0 for global only).
            Defaults to 6.
        global_scale (tuple[float, float]): Area range of global crops.
            Defaults to (0.4, 1.0) (DINO: 0.4 with local crops).
        local_scale (tuple[float, float]): Area range of local crops.
            Defaults to (0.05, 0.4).
        flip_prob (float): Horizontal flip probability. Defaults to 0.5.
        jitter (dict): ``ColorJitter`` arguments. Defaults to brightness
            0.4, contrast 0.4, saturation 0.2 and no hue change (DINO: hue
            0.1): mmcv 2.1's ``adjust_hue`` fails on numpy 2 for negative
            hue factors, so a non-zero ``hue`` is refused.
        jitter_prob (float): Probability of the colour jitter.
            Defaults to 0.8.
        gray_prob (float): Probability of grayscale. Defaults to 0.2.
        blur_probs (Sequence[float]): Blur probability of global view 1,
            global view 2 and local views. Defaults to (1.0, 0.1, 0.5).
        blur_sigma (tuple[float, float]): Blur sigma range.
            Defaults to (0.1, 2.0).
        solarize_probs (Sequence[float]): Solarize probability, same order.
            Defaults to (0.0, 0.2, 0.0).

    Example:
        >>> import numpy as np
        >>> crop = MultiCrop(global_size=64, local_size=32, num_local=4)
        >>> out = crop(dict(img=np.zeros((80, 80, 3), np.uint8)))
        >>> [v.shape[:2] for v in out['img']][:3]
        [(64, 64), (64, 64), (32, 32)]
    """

    def __init__(self,
                 global_size: int = 224,
                 local_size: int = 96,
                 num_local: int = 6,
                 global_scale: Tuple[float, float] = (0.4, 1.0),
                 local_scale: Tuple[float, float] = (0.05, 0.4),
                 flip_prob: float = 0.5,
                 jitter: Dict[str, float] = dict(
                     brightness=0.4, contrast=0.4, saturation=0.2),
                 jitter_prob: float = 0.8,
                 gray_prob: float = 0.2,
                 blur_probs: Sequence[float] = (1.0, 0.1, 0.5),
                 blur_sigma: Tuple[float, float] = (0.1, 2.0),
                 solarize_probs: Sequence[float] = (0.0, 0.2, 0.0)) -> None:
        if num_local < 0:
            raise ValueError(f'num_local must be >= 0, got {num_local}')
        for name, probs in (('blur_probs', blur_probs),
                            ('solarize_probs', solarize_probs)):
            if len(probs) != 3:
                raise ValueError(
                    f'{name} takes 3 probabilities (global view 1, global '
                    f'view 2, local views), got {list(probs)}')
        if jitter.get('hue', 0):
            raise ValueError(
                'MultiCrop: jitter hue must be 0 (mmcv 2.1 adjust_hue '
                f'overflows on numpy 2 for negative factors), got {jitter}')
        common = dict(flip_prob=flip_prob, jitter=dict(jitter),
                      jitter_prob=jitter_prob, gray_prob=gray_prob,
                      blur_sigma=tuple(blur_sigma))
        pipelines, counts = [], []
        for index, (size, scale, count) in enumerate([
            (global_size, global_scale, 1), (global_size, global_scale, 1),
            (local_size, local_scale, num_local)
        ]):
            if count == 0:
                continue
            pipelines.append(view_pipeline(
                size, tuple(scale), blur_prob=blur_probs[index],
                solarize_prob=solarize_probs[index], **common))
            counts.append(count)
        # MMPretrain's transforms, also when built outside a runner
        with DefaultScope.overwrite_default_scope('mmpretrain'):
            super().__init__(transforms=pipelines, num_views=counts)
        self.num_local = num_local
        self.global_size = global_size
        self.local_size = local_size

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(global_size={self.global_size}, '
                f'local_size={self.local_size}, num_local={self.num_local})')
