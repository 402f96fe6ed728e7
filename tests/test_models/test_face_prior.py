"""Face-prior pretraining: each auxiliary loss is least for a perfect
prediction and grows with the error; the algorithm learns on drawn faces."""
import numpy as np
import pytest
import torch
from mmengine.dataset import default_collate
from mmpretrain.models.heads import MAEPretrainHead
from mmpretrain.registry import MODELS, TRANSFORMS

import fbp_mm  # noqa: F401  (registers the modules)
from fbp_mm.datasets.transforms import FACE_PRIOR_KEYS
from fbp_mm.generators.synthetic_faces import (draw_face, face_landmarks,
                                               sample_face_params)
from fbp_mm.models.heads import (FaceComponentHead, FacePatchHead,
                                 FacePixelHead)

# --- pixel level -----------------------------------------------------------


def test_pixel_loss_is_zero_when_exact_and_grows_with_the_error():
    torch.manual_seed(0)
    head = FacePixelHead(patch_size=8, face_weight=2.0, part_weight=4.0)
    imgs = torch.randn(2, 3, 32, 32)
    target = head.construct_target(imgs)
    mask = (torch.rand(2, 16) < 0.75).float()
    labels = torch.randint(0, 8, (2, 4, 4))
    valid = torch.tensor([True, True])
    assert float(head.loss(target, imgs, mask, labels, valid)) == 0.0
    noise = torch.randn_like(target)
    errors = [float(head.loss(target + s * noise, imgs, mask, labels, valid))
              for s in (0.1, 0.3, 1.0)]
    assert 0 < errors[0] < errors[1] < errors[2]


def test_pixel_loss_with_unit_weights_is_mmpretrains_mae_loss():
    torch.manual_seed(1)
    ours = FacePixelHead(patch_size=8)
    mae = MAEPretrainHead(
        loss=dict(type='PixelReconstructionLoss', criterion='L2'),
        norm_pix=True, patch_size=8)
    imgs, pred = torch.randn(3, 3, 32, 32), torch.randn(3, 16, 192)
    mask = (torch.rand(3, 16) < 0.75).float()
    labels = torch.randint(0, 8, (3, 4, 4))
    torch.testing.assert_close(
        ours.loss(pred, imgs, mask, labels, torch.ones(3, dtype=torch.bool)),
        mae.loss(pred, imgs, mask))


def test_pixel_loss_weighs_patches_by_region():
    head = FacePixelHead(patch_size=8, norm_pix=False, background_weight=1.0,
                         face_weight=2.0, part_weight=4.0)
    imgs = torch.zeros(1, 3, 16, 16)  # 2 x 2 patches
    pred = torch.zeros(1, 4, 192)
    pred[0, 3] = 1.0  # error 1 per pixel on patch 3 only
    mask = torch.ones(1, 4)
    labels = torch.tensor([[[0, 1], [1, 5]]])  # bg, face, face, right eye
    # sum(w * err) / sum(w) = 4 * 1 / (1 + 2 + 2 + 4)
    assert float(head.loss(pred, imgs, mask, labels,
                           torch.tensor([True]))) == pytest.approx(4 / 9)
    # a sample without landmarks weighs every patch 1: 1 / 4
    assert float(head.loss(pred, imgs, mask, labels,
                           torch.tensor([False]))) == pytest.approx(1 / 4)
    # unmasked patches never count
    mask[0, 3] = 0
    assert float(head.loss(pred, imgs, mask, labels,
                           torch.tensor([True]))) == 0.0


# --- patch level -----------------------------------------------------------


def patch_targets(n=2, grid=4, k=68, seed=0):
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 8, (n, grid, grid), generator=g)
    heat = torch.rand(n, k, grid, grid, generator=g)
    return labels, heat


def test_patch_losses_are_least_for_the_true_parts_and_heatmaps():
    head = FacePatchHead(in_channels=4)
    labels, heat = patch_targets()
    valid = torch.tensor([True, True])
    onehot = torch.nn.functional.one_hot(labels.flatten(1), 8).float()
    exact_heat = heat.flatten(2).transpose(1, 2)
    perfect = head.loss_by_prediction(30 * onehot, exact_heat, labels, heat,
                                      valid)
    assert float(perfect['loss_part']) < 1e-6
    assert float(perfect['loss_heatmap']) == 0.0
    # one heatmap value off by 0.5: 0.25 summed over landmarks, averaged
    # over the 2 x 16 patches
    off = exact_heat.clone()
    off[1, 5, 7] += 0.5
    one = head.loss_by_prediction(30 * onehot, off, labels, heat, valid)
    assert float(one['loss_heatmap']) == pytest.approx(0.25 / 32)
    # moving logit mass to wrong parts raises the part loss step by step
    wrong = torch.roll(onehot, 1, dims=-1)
    parts = [
        float(head.loss_by_prediction(30 * ((1 - a) * onehot + a * wrong),
                                      exact_heat, labels, heat,
                                      valid)['loss_part'])
        for a in (0.4, 0.55, 0.8)
    ]
    assert float(perfect['loss_part']) < parts[0] < parts[1] < parts[2]


def test_patch_losses_leave_out_samples_without_landmarks():
    head = FacePatchHead(in_channels=4, part_weight=2.0, heatmap_weight=3.0)
    labels, heat = patch_targets()
    pred_heat = heat.flatten(2).transpose(1, 2).clone()
    pred_heat[0] += 1.0  # sample 0 all wrong, but it has no landmarks
    logits = 30 * torch.nn.functional.one_hot(labels.flatten(1), 8).float()
    logits[0] = -logits[0]
    losses = head.loss_by_prediction(logits, pred_heat, labels, heat,
                                     torch.tensor([False, True]))
    assert float(losses['loss_part']) < 1e-5
    assert float(losses['loss_heatmap']) == 0.0
    none = head.loss_by_prediction(logits, pred_heat, labels, heat,
                                   torch.tensor([False, False]))
    assert float(none['loss_part']) == 0.0
    with pytest.raises(ValueError, match='patch_size'):
        head.loss_by_prediction(logits[:, :8], None, labels, heat,
                                torch.tensor([True, True]))


# --- component level -------------------------------------------------------


def test_component_pool_averages_the_tokens_inside_each_box():
    head = FaceComponentHead(in_channels=2)
    grid = torch.zeros(1, 2, 4, 4)  # 4 x 4 patches of 8 px
    grid[0, 0] = 1.0  # channel 0 constant
    grid[0, 1, 1, 2] = 1.0  # channel 1: only patch (row 1, col 2)
    # box over exactly that patch: pixels 16..23 x 8..15 (edges -0.5)
    patch_box = [15.5, 7.5, 23.5, 15.5]
    far_box = [-0.5, 23.5, 7.5, 31.5]  # patch (3, 0)
    pooled = head.pool(grid, torch.tensor([[patch_box, far_box]]), 8)
    torch.testing.assert_close(pooled[0, :, 0], torch.ones(2))
    # bilinear sampling inside the patch spills a quarter to neighbours
    assert float(pooled[0, 0, 1]) == pytest.approx(0.75 * 0.75)
    assert float(pooled[0, 1, 1]) == 0.0


def test_component_losses_are_least_for_perfect_predictions():
    head = FaceComponentHead(in_channels=4, temperature=0.1)
    valid = torch.ones(2, 6, dtype=torch.bool)
    perfect_logits = 30 * torch.eye(6).expand(2, 6, 6)
    assert float(head.classification_loss(perfect_logits, valid)) < 1e-6
    swapped = perfect_logits[:, [1, 0, 2, 3, 4, 5]]
    # two of six rows wrong by a margin of 30: 2 * 30 / 6
    assert float(head.classification_loss(swapped, valid)) == pytest.approx(
        10.0, abs=1e-4)
    # each (sample, component) its own direction, the same in both views
    embed = torch.eye(12).reshape(2, 6, 12)
    exact = float(head.matching_loss(embed, embed, valid))
    assert exact < 1e-3
    noise = torch.randn(2, 6, 12, generator=torch.Generator().manual_seed(0))
    errors = [float(head.matching_loss(embed, embed + s * noise, valid))
              for s in (0.3, 1.0, 3.0)]
    assert exact < errors[0] < errors[1] < errors[2]
    # left out: invalid components (here all but one: nothing to match)
    one = torch.zeros(2, 6, dtype=torch.bool)
    one[0, 0] = True
    assert float(head.matching_loss(embed, embed + noise, one)) == 0.0


def test_component_matching_pairs_physical_parts_across_a_flip():
    head = FaceComponentHead(in_channels=6, hidden_dims=6, proj_dims=6,
                             temperature=0.05)
    # identity projector: the embedding of a box is its pooled feature
    with torch.no_grad():
        head.projector[0].weight.copy_(torch.eye(6))
        head.projector[0].bias.zero_()
        head.projector[2].weight.copy_(torch.eye(6))
        head.projector[2].bias.zero_()
    boxes = torch.tensor([[float(8 * c) - 0.5, -0.5, 8 * c + 7.5, 7.5]
                          for c in range(6)])  # component c on patch (0, c)
    grid_a = torch.zeros(1, 6, 1, 6)
    for c in range(6):
        grid_a[0, c, 0, c] = 1.0  # the physical component c has feature c
    # view b is the flipped view: the image-left eye (row 2) is physical
    # component 3, and so on; its boxes keep the image order
    grid_b = torch.zeros(1, 6, 1, 6)
    for row, physical in enumerate((1, 0, 3, 2, 4, 5)):
        grid_b[0, physical, 0, row] = 1.0
    both = torch.stack([boxes, boxes])[None]  # (1, 2 views, 6, 4)
    valid = torch.ones(1, 2, dtype=torch.bool)
    told = head.loss([grid_a, grid_b], both, valid, 8,
                     torch.tensor([[False, True]]))
    untold = head.loss([grid_a, grid_b], both, valid, 8,
                       torch.tensor([[False, False]]))
    assert float(told['loss_component_match']) < \
        float(untold['loss_component_match']) - 1.0


# --- the algorithm ---------------------------------------------------------


def drawn_faces(n, size=80, seed=0):
    rng = np.random.default_rng(seed)
    faces = []
    for _ in range(n):
        params = sample_face_params(rng)
        faces.append((draw_face(params, size), face_landmarks(params, size)))
    return faces


VIEW = [
    dict(type='CropFaceBox', size=32, scale=1.3, scale_jitter=0.1,
         shift_jitter=0.05),
    dict(type='RandomFaceFlip', prob=0.5),
    dict(type='FacePriorTargets', patch_size=8),
]


def face_prior(**levels):
    cfg = dict(
        type='FacePrior',
        backbone=dict(
            type='MAEViT',
            arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                      feedforward_channels=64),
            img_size=32, patch_size=8, mask_ratio=0.75),
        neck=dict(type='MAEPretrainDecoder', num_patches=16, patch_size=8,
                  embed_dim=32, decoder_embed_dim=16, decoder_depth=1,
                  decoder_num_heads=2),
        pixel_head=dict(type='FacePixelHead', patch_size=8, part_weight=2.0),
        patch_head=dict(type='FacePatchHead', in_channels=32),
        component_head=dict(type='FaceComponentHead', in_channels=32,
                            hidden_dims=32, proj_dims=16),
        patch_size=8,
        data_preprocessor=dict(
            type='SelfSupDataPreprocessor', mean=[127.5] * 3,
            std=[64.0] * 3, to_rgb=True))
    cfg.update(levels)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def batch(faces, views=2):
    pack = TRANSFORMS.build(
        dict(type='PackInputs',
             algorithm_keys=[*FACE_PRIOR_KEYS, 'face_view_flipped']))
    if views:
        first = TRANSFORMS.build(
            dict(type='FacePriorViews', transforms=[VIEW], num_views=views))
    else:
        from mmcv.transforms import Compose
        first = Compose([TRANSFORMS.build(t) for t in VIEW])
    samples = []
    for img, pts in faces:
        samples.append(pack(first(dict(img=img.copy(),
                                       face_landmarks=pts.copy()))))
    return default_collate(samples)


def test_face_prior_losses_fall_on_drawn_faces():
    torch.manual_seed(0)
    np.random.seed(0)
    faces = drawn_faces(12)
    model = face_prior()
    optim = torch.optim.AdamW(model.parameters(), lr=3e-3)
    history = []
    for _ in range(30):
        data = model.data_preprocessor(batch(faces), training=True)
        losses = model(**data, mode='loss')
        total = sum(losses.values())
        optim.zero_grad()
        total.backward()
        optim.step()
        history.append({k: float(v) for k, v in losses.items()})
    assert set(history[0]) == {
        'loss_pixel', 'loss_part', 'loss_heatmap', 'loss_component_cls',
        'loss_component_match'
    }
    first = {k: np.mean([h[k] for h in history[:3]]) for k in history[0]}
    last = {k: np.mean([h[k] for h in history[-3:]]) for k in history[0]}
    assert sum(last.values()) < 0.7 * sum(first.values()), (first, last)
    for key in ('loss_part', 'loss_heatmap', 'loss_component_cls'):
        assert last[key] < 0.8 * first[key], (key, first, last)


def test_levels_switch_off_and_one_view_works():
    torch.manual_seed(0)
    np.random.seed(0)
    faces = drawn_faces(4)
    patch_only = face_prior(neck=None, pixel_head=None, component_head=None)
    data = patch_only.data_preprocessor(batch(faces, views=0), training=True)
    assert set(patch_only(**data, mode='loss')) == {'loss_part',
                                                    'loss_heatmap'}
    pixel_only = face_prior(patch_head=None, component_head=None)
    assert set(pixel_only(**data, mode='loss')) == {'loss_pixel'}
    # one view: the component classifier, but nothing to match
    components = face_prior(neck=None, pixel_head=None, patch_head=None)
    assert set(components(**data, mode='loss')) == {'loss_component_cls'}
    # features for fine-tuning: the whole image's tokens
    feats = pixel_only(torch.randn(2, 3, 32, 32), mode='tensor')
    assert feats[-1].shape == (2, 17, 32)


def test_face_prior_refuses_half_a_pixel_level_and_unpacked_targets():
    with pytest.raises(ValueError, match='neck'):
        face_prior(pixel_head=None)
    with pytest.raises(ValueError, match='at least one'):
        face_prior(neck=None, pixel_head=None, patch_head=None,
                   component_head=None)
    model = face_prior()
    data = model.data_preprocessor(batch(drawn_faces(2)), training=True)
    for sample in data['data_samples']:
        del sample.face_heatmaps
    with pytest.raises(KeyError, match='face_heatmaps.*FacePriorTargets'):
        model(**data, mode='loss')


def test_face_prior_takes_the_multi_scale_encoder_too():
    torch.manual_seed(0)
    np.random.seed(0)
    model = face_prior(backbone=dict(
        type='MultiScaleMAEViT',
        arch=dict(embed_dims=32, num_layers=2, num_heads=2,
                  feedforward_channels=64),
        img_size=32, patch_size=8, mask_ratio=0.75, ms_branch_channels=4,
        ms_out_channels=4, mask_by_default=True))
    data = model.data_preprocessor(batch(drawn_faces(4)), training=True)
    losses = model(**data, mode='loss')
    assert len(losses) == 5 and all(torch.isfinite(v) for v in
                                    losses.values())
    feats = model(torch.randn(2, 3, 32, 32), mode='tensor')
    assert feats[-1].shape == (2, 17, 32)
