"""ProS: EMA teacher, centering, prototype matching, training on faces."""
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.logging import MessageHub
from mmpretrain.registry import MODELS

from fbp_mm.models.heads.pros_head import ProSHead
from fbp_mm.models.necks.pros_projector import ProSProjector

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEMO_CFG = osp.join(REPO, 'configs', 'pros', 'demo',
                    'pros_vit-tiny-p8_1xb64-8e_demo-faces.py')
TINY = dict(embed_dims=32, num_layers=1, num_heads=2, feedforward_channels=64)


def build_pros(momentum=0.1, end_momentum=0.0):
    model = MODELS.build(dict(
        type='ProS',
        backbone=dict(type='VisionTransformer', arch=TINY, img_size=32,
                      patch_size=8, out_type='cls_token'),
        neck=dict(type='ProSProjector', in_channels=32, hidden_channels=32,
                  bottleneck_channels=16, out_channels=64, num_prototypes=8),
        head=dict(type='ProSHead', out_channels=64, num_prototypes=8),
        teacher_momentum=momentum,
        teacher_end_momentum=end_momentum))
    model.init_weights()
    return model


def views(batch=2, num_local=2, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(batch, 3, 32, 32, generator=gen) for _ in range(2)] \
        + [torch.randn(batch, 3, 16, 16, generator=gen)
           for _ in range(num_local)]


def log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


def softmax(x):
    return np.exp(log_softmax(x))


def test_teacher_moves_toward_student_by_the_momentum():
    max_iters = 10
    MessageHub.get_current_instance().update_info('max_iters', max_iters)
    model = build_pros(momentum=0.1, end_momentum=0.0)
    teacher = dict(model.teacher.module.named_parameters())
    # before any step the teacher is a copy of the student
    for name, param in model.student().named_parameters():
        assert torch.equal(param, teacher[name]), name
    model.loss(views(), None)  # first update: copy
    with torch.no_grad():  # stands for an optimizer step of the student
        for param in model.student().parameters():
            param.add_(0.5)
    before = {k: v.detach().clone() for k, v in teacher.items()}
    student = {k: v.detach().clone()
               for k, v in model.student().named_parameters()}
    losses = model.loss(views(), None)  # second update, step 1
    # MMEngine's momentum is the student's weight, cosine-annealed
    weight = 0.0 - (0.0 - 0.1) * (math.cos(math.pi * 1 / max_iters) + 1) / 2
    for name, param in teacher.items():
        expected = (1 - weight) * before[name] + weight * student[name]
        torch.testing.assert_close(param, expected, msg=name)
    # the teacher takes no gradient
    (losses['loss_sd'] + losses['loss_proto']).backward()
    for name, param in teacher.items():
        assert not param.requires_grad and param.grad is None, name
    assert model.backbone.cls_token.grad is not None
    assert model.neck.prototypes.grad is not None
    model.train()
    assert not model.teacher.module.training


def test_centering_and_sharpening_match_a_hand_computation():
    head = ProSHead(out_channels=3, num_prototypes=2, student_temp=0.5,
                    teacher_temp=0.25, center_momentum=0.9,
                    proto_student_temp=0.5, proto_teacher_temp=0.25)
    t_logits = [[[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]]]
    s_logits = [[[0.2, 0.1, 0.0]], [[0.0, 0.3, 0.1]], [[0.5, 0.0, 0.4]]]
    t_proto = [[[0.6, 0.8]], [[0.8, 0.6]]]
    s_proto = [[[0.1, 0.9]], [[0.3, 0.2]], [[0.7, 0.7]]]

    def pack(logits, proto):
        return [(torch.tensor(a), torch.tensor(b))
                for a, b in zip(logits, proto)]

    def expected(teacher, student, center, t_temp, s_temp):
        total = []
        for i, t in enumerate(teacher):
            target = softmax((np.array(t) - center) / t_temp)
            for j, s in enumerate(student):
                if i != j:
                    total.append(-(target * log_softmax(
                        np.array(s) / s_temp)).sum())
        return np.mean(total)

    head.train()
    center, proto_center = np.zeros(3), np.zeros(2)
    for _ in range(2):  # the second call uses the updated centers
        losses = head.loss(pack(s_logits, s_proto), pack(t_logits, t_proto))
        assert losses['loss_sd'].item() == pytest.approx(
            expected(t_logits, s_logits, center, 0.25, 0.5), rel=1e-5)
        assert losses['loss_proto'].item() == pytest.approx(
            expected(t_proto, s_proto, proto_center, 0.25, 0.5), rel=1e-5)
        # the monitor: mean entropy of the teacher targets, no gradient
        probs = softmax((np.array(t_logits)[:, 0] - center) / 0.25)
        assert losses['teacher_entropy'].item() == pytest.approx(
            -(probs * np.log(probs)).sum(-1).mean(), rel=1e-5)
        assert not losses['teacher_entropy'].requires_grad
        center = 0.9 * center + 0.1 * np.mean(t_logits, axis=(0, 1))
        proto_center = 0.9 * proto_center + 0.1 * np.mean(t_proto,
                                                          axis=(0, 1))
        np.testing.assert_allclose(head.center[0].numpy(), center, rtol=1e-6)
        np.testing.assert_allclose(head.proto_center[0].numpy(),
                                   proto_center, rtol=1e-6)


def test_prototype_similarities_are_cosines():
    neck = ProSProjector(in_channels=2, hidden_channels=4,
                         bottleneck_channels=3, out_channels=5,
                         num_prototypes=2, init_cfg=None)
    with torch.no_grad():
        neck.prototypes.copy_(torch.tensor([[2.0, 0.0], [0.0, 0.5]]))
    logits, proto = neck((torch.tensor([[3.0, 4.0]]), ))
    torch.testing.assert_close(proto, torch.tensor([[0.6, 0.8]]))
    assert logits.shape == (1, 5) and logits.abs().max() <= 1 + 1e-6
    with pytest.raises(ValueError, match="out_type='cls_token'"):
        neck((torch.zeros(1, 4, 2), ))


def test_too_few_views_are_refused_with_the_transform_to_use():
    model = build_pros()
    with pytest.raises(ValueError, match="'MultiCrop' transform"):
        model.loss(views(num_local=0)[:2], None)


@pytest.fixture(scope='module')
def face_crops(tmp_path_factory):
    """128 generated unlabeled faces (64 px), as MultiCrop view batches."""
    import cv2

    from fbp_mm.datasets.transforms import MultiCrop
    from fbp_mm.generators import generate_demo_faces
    root = str(tmp_path_factory.mktemp('pros_faces'))
    generate_demo_faces(root, num_labeled=16, num_unlabeled=128, size=64,
                        seed=0)
    with open(osp.join(root, 'unlabeled.txt')) as f:
        images = [cv2.imread(osp.join(root, line.split()[0]))
                  for line in f if line.strip()]
    crop = MultiCrop(global_size=64, local_size=32, num_local=2,
                     global_scale=(0.5, 1.0), local_scale=(0.1, 0.5))
    rng = np.random.default_rng(0)
    np.random.seed(0)
    batches = []
    for _ in range(40):
        picked = [crop(dict(img=images[i]))['img']
                  for i in rng.choice(len(images), 32, replace=False)]
        batches.append([
            (torch.stack([torch.from_numpy(v[k][..., ::-1].copy())
                          for v in picked]).permute(0, 3, 1, 2).float()
             - 120.) / 58. for k in range(4)
        ])
    return batches


def train_demo_model(face_crops, seed=0, **model_options):
    """40 AdamW steps of the demo config's model; the logged values."""
    from mmengine.config import Config
    torch.manual_seed(seed)
    cfg = Config.fromfile(DEMO_CFG)
    cfg.merge_from_dict(dict(model=model_options))
    model = MODELS.build(cfg.model)
    model.init_weights()
    MessageHub.get_current_instance().update_info('max_iters', 40)
    optim = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.04)
    log = []
    for inputs in face_crops:
        losses = model.loss(inputs, None)
        optim.zero_grad()
        (losses['loss_sd'] + losses['loss_proto']).backward()
        optim.step()
        log.append({k: v.item() for k, v in losses.items()})
    return log, math.log(cfg.model.head.out_channels)


def mean(rows, key):
    return float(np.mean([r[key] for r in rows]))


def kl(rows, loss='loss_sd', entropy='teacher_entropy'):
    """Cross-entropy minus the teacher's entropy: the part the student
    closes (the entropy itself moves with the centering)."""
    return mean(rows, loss) - mean(rows, entropy)


def test_demo_model_learns_on_faces_without_collapse(face_crops):
    """The demo config's model on generated faces: both KLs fall; the
    teacher neither collapses to one output (batch entropy) nor flattens to
    uniform (per-image entropy). Without centering it collapses, and the
    monitor shows it."""
    log, log_k = train_demo_model(face_crops)
    first, last = log[:5], log[-5:]
    # measured over torch seeds 0-3 (first 5 steps -> last 5): KL 2.0 ->
    # 0.5-1.0, prototype KL 1.0-1.4 -> 0.8-1.0
    assert kl(last) < 0.6 * kl(first)
    assert kl(last, 'loss_proto', 'proto_entropy') < 0.85 * kl(
        first, 'loss_proto', 'proto_entropy')
    # measured: batch entropy >= 4.4, per image <= 6.26 (log K = 6.93)
    for row in log:
        assert row['teacher_batch_entropy'] > 0.5 * log_k, row
        assert row['teacher_entropy'] < log_k - 0.3, row

    # centering off (the center stays 0) and a faster teacher: every image
    # ends on the same output within 40 steps (measured batch entropy 0.03)
    log, _ = train_demo_model(face_crops, teacher_momentum=0.05,
                              head=dict(center_momentum=1.0))
    assert mean(log[-5:], 'teacher_batch_entropy') < 0.5
