"""IRN's affinity network: built from the toy config, its seed labels
sampled as IRN rescales them, a frozen backbone that stays as loaded, and a
boundary head that learns a wall between two seeded regions."""
import copy

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData

from seenet_mm.models.segmentors.affinity_net import grid_size, sample_labels

CONFIG = 'configs/toy/irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py'


def build(repo_root, **model):
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    cfg = Config.fromfile(f'{repo_root}/{CONFIG}')
    cfg.model.backbone.init_cfg = None  # no stand-in needed here
    cfg.model.backbone.widen_factor = 0.125
    cfg.model.head.in_channels = (8, 16, 32, 64, 64)
    cfg.model.update(model)
    return MODELS.build(cfg.model)


def samples(labels):
    from mmseg.structures import SegDataSample
    out = []
    for lab in labels:
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=lab[None])
        out.append(s)
    return out


def test_grid_and_label_sampling_as_irn():
    assert grid_size((96, 96), 4) == (24, 24)
    assert grid_size((97, 130), 4) == (25, 33)  # rounded up
    lab = torch.arange(16 * 12).reshape(12, 16)
    small = sample_labels(lab, (3, 4))
    # PIL's nearest: the pixel under each cell's centre, (i + 0.5) * 4
    assert small.tolist() == [[lab[y, x].item() for x in (2, 6, 10, 14)]
                              for y in (2, 6, 10)]


def test_frozen_backbone_stays_and_the_head_learns(repo_root):
    torch.manual_seed(0)
    model = build(repo_root, radius=10)  # IRN's (the toy config has 5)
    model.train()
    backbone = copy.deepcopy(model.backbone.state_dict())
    head = copy.deepcopy(model.head.state_dict())
    assert not any(p.requires_grad for p in model.backbone.parameters())
    assert not model.backbone.training  # norms keep their statistics
    optim = torch.optim.SGD(
        [p for p in model.parameters() if p.requires_grad], lr=0.1,
        momentum=0.9)
    # a bright band of class 1 between background, seeds ignored at its
    # edges (the image is its own mirror: the test flip changes nothing)
    img = torch.zeros(2, 3, 48, 48)
    img[..., 16:32] = 2.0
    lab = torch.zeros(2, 48, 48, dtype=torch.long)
    lab[:, :, 16:32] = 1
    lab[:, :, 14:18] = 255
    lab[:, :, 30:34] = 255
    for _ in range(25):
        loss = model(img, samples(lab), mode='loss')
        assert set(loss) == {'loss_bg', 'loss_fg', 'loss_neg'}
        optim.zero_grad()
        sum(loss.values()).backward()
        optim.step()
    for key, value in model.backbone.state_dict().items():
        assert torch.equal(value, backbone[key]), key
    assert any(not torch.equal(v, head[k])
               for k, v in model.head.state_dict().items())
    model.eval()
    with torch.no_grad():
        boundary = model.boundary_map(img[:1])[0]
    assert boundary.shape == (12, 12)
    # the boundary stands at the band's edges (cells 3 and 8, centres 14
    # and 34), not inside the band
    edges = boundary[:, [3, 8]].mean()
    assert edges > 0.5
    assert boundary[:, 4:8].max() < 0.1


def test_fine_tuned_backbone_learns(repo_root):
    model = build(repo_root, frozen=False)
    assert all(p.requires_grad for p in model.backbone.parameters())
    model.train()
    assert model.backbone.training


def test_bad_settings(repo_root):
    with pytest.raises(ValueError, match='radius'):
        build(repo_root, radius=1)
    model = build(repo_root)
    with pytest.raises(ValueError, match='seed labels'):
        model(torch.zeros(1, 3, 32, 32), [], mode='loss')
    from mmseg.registry import MODELS
    with pytest.raises(ValueError, match='out_indices'):
        head = MODELS.build(dict(type='BoundaryHead', in_channels=(8, 16)))
        head([torch.zeros(1, 8, 4, 4)], (4, 4))


PSA_CONFIG = 'configs/toy/psa_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py'


def build_psa(repo_root, **model):
    from mmseg.registry import MODELS
    init_default_scope('mmseg')
    cfg = Config.fromfile(f'{repo_root}/{PSA_CONFIG}')
    cfg.model.backbone.init_cfg = None
    cfg.model.backbone.widen_factor = 0.125
    cfg.model.head.in_channels = (32, 64, 64)
    cfg.model.update(model)
    return MODELS.build(cfg.model)


def test_psa_feature_affinity_learns_the_band(repo_root):
    from seenet_mm.models.segmentors.affinity_net import link_loss
    from seenet_mm.random_walk import feature_affinities, half_offsets
    torch.manual_seed(0)
    model = build_psa(repo_root)
    assert model.affinity == 'feature' and not model.frozen
    model.train()
    img = torch.zeros(2, 3, 64, 64)
    img[..., 24:40] = 2.0
    lab = torch.zeros(2, 64, 64, dtype=torch.long)
    lab[:, :, 24:40] = 1
    # the loss is link_loss on the embedding's feature affinities
    loss = model(img, samples(lab), mode='loss')
    emb = model.boundary_logits(img)
    assert emb.shape == (2, 112, 8, 8)  # stride 8, 16 + 32 + 64 channels
    want = link_loss(feature_affinities(emb.float(), 5),
                     sample_labels(lab, (8, 8)), 5)
    for key in ('loss_bg', 'loss_fg', 'loss_neg'):
        assert torch.allclose(loss[key], want[key], atol=1e-6)
    optim = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(30):
        loss = model(img, samples(lab), mode='loss')
        optim.zero_grad()
        sum(loss.values()).backward()
        optim.step()
    model.eval()
    with torch.no_grad():
        links, weight, edges = model.walk_links(img[:1], 5)
    assert weight is None  # PSA walks the maps as they are
    assert links.shape == (len(half_offsets(5)), 1, 8, 8)
    right = half_offsets(5).index((0, 1))
    # links inside the band or the background stay high, across its edges
    # (cells 2 -> 3 and 4 -> 5) low
    across = links[right, 0, :, [2, 4]].mean()
    within = links[right, 0, :, [0, 3, 6]].mean()
    assert within > 0.5 > across
    assert edges.shape == (1, 8, 8)
    assert torch.allclose(model.boundary_map(img[:1]), edges)


def test_affinity_setting_is_checked(repo_root):
    with pytest.raises(ValueError, match="affinity must be one of"):
        build(repo_root, affinity='psa')
    from mmseg.registry import MODELS
    with pytest.raises(ValueError, match='one entry per tap'):
        MODELS.build(dict(type='FeatureAffinityHead', in_channels=(8, 16),
                          channels=(4, ), groups=(2, )))
