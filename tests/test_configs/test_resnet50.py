"""SeeNet on mmpretrain's ResNet-50 (output stride 16 and 8, IRN's recipe):
the configs build, their parameter groups are IRN's, and a toy-width model
trains for a few iterations with the configs' own optimizer."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner
from mmengine.structures import BaseDataElement
from mmseg.registry import MODELS

from conftest import REPO
from seenet_mm.utils import register_all_modules

register_all_modules()

CONFIGS = {'seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512.py': 16, 'seenet/seenet_r50-d8_1xb16-5e_voc12aug-512x512.py': 8}
FROZEN = ('backbone.conv1.', 'backbone.bn1.', 'backbone.layer1.',
          'backbone.layer2.')


def load(name):
    return Config.fromfile(osp.join(REPO, 'configs', name))


def model_cfg(cfg, toy=False):
    """``cfg.model`` without its ImageNet weights; ``toy``: ResNet-50 at 1/8
    width (base and stem 8 channels: layer4 gives 8 * 4 * 8 = 256), 8-channel
    branches."""
    out = copy.deepcopy(cfg.model)
    out.backbone.init_cfg = None
    if toy:
        out.backbone.update(base_channels=8, stem_channels=8)
        out.update(in_channels=256, branch=dict(out.branch, channels=8))
    return out


def lr_and_decay(model, cfg):
    """``{name: (lr, weight_decay)}`` of the optimizer's parameters, each
    parameter in exactly one group."""
    groups = build_optim_wrapper(model, copy.deepcopy(
        cfg.optim_wrapper)).optimizer.param_groups
    names = {id(p): n for n, p in model.named_parameters()}
    got = {}
    for g in groups:
        for p in g['params']:
            assert names[id(p)] not in got, 'a parameter in two groups'
            got[names[id(p)]] = (g['lr'], g['weight_decay'])
    return got


@pytest.mark.parametrize('name,stride', CONFIGS.items())
def test_configs_build_with_irns_backbone_and_groups(name, stride):
    cfg = load(name)
    bb = cfg.model.backbone
    assert bb.type == 'mmpretrain.ResNet' and bb.depth == 50
    assert bb.init_cfg.type == 'Pretrained' and bb.init_cfg.prefix == \
        'backbone.' and bb.init_cfg.checkpoint.startswith('https://')
    assert (bb.frozen_stages, bb.norm_eval) == (2, True)
    assert cfg.model.in_channels == 2048 and cfg.model.mode == 'seenet'
    assert cfg.default_scope == 'mmseg'
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.train_cfg.max_iters == 3305  # 5 epochs of 10582 // 16

    model = MODELS.build(model_cfg(cfg))
    assert model.backbone.feat_dim == 2048
    assert model.branch_a.convs[0].conv.in_channels == 2048
    model.train()
    assert not any(m.training for m in model.backbone.modules()
                   if isinstance(m, torch.nn.modules.batchnorm._BatchNorm))
    got = lr_and_decay(model, cfg)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert set(got) == trainable
    assert not any(n.startswith(FROZEN) for n in got)
    assert any(n.startswith('backbone.layer3.') for n in got)
    # IRN: backbone 0.1, new layers (weights and biases) 1.0, decay 1e-4
    for n, value in got.items():
        new = n.startswith(('branch_a.', 'branch_b.', 'branch_c.'))
        assert value == pytest.approx((1.0 if new else 0.1, 1e-4)), n
    assert got['backbone.layer4.2.bn3.weight'] == pytest.approx((0.1, 1e-4))
    assert got['branch_c.score.bias'] == pytest.approx((1.0, 1e-4))


@pytest.mark.parametrize('name,stride', CONFIGS.items())
def test_toy_width_output_stride_and_training(name, stride):
    cfg = load(name)
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(cfg, toy=True))
    model.init_weights()
    with torch.no_grad():
        out = model(torch.randn(1, 3, 64, 64), mode='tensor')
    assert out['feat'].shape == (1, 256, 64 // stride, 64 // stride)
    assert out['maps_a'].shape == (1, 20, 64 // stride, 64 // stride)

    optim = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    bn = model.backbone.layer3[0].bn1
    running = bn.running_mean.clone()
    labels = torch.zeros(2, 20)
    labels[0, 3] = labels[1, 14] = 1
    data = dict(inputs=[torch.randint(0, 256, (3, 64, 64), dtype=torch.uint8)
                        for _ in range(2)],
                data_samples=[BaseDataElement(gt_class_labels=lab)
                              for lab in labels])
    model.train()
    for _ in range(3):
        log = model.train_step(copy.deepcopy(data), optim)
        assert {'loss_sa', 'loss_sb', 'loss_sc'} <= set(log)
        assert torch.isfinite(log['loss'])
    moved = {n for n, p in model.named_parameters()
             if not torch.equal(p, before[n])}
    assert any(n.startswith('backbone.layer4.') for n in moved)
    assert any(n.startswith('branch_a.') for n in moved)
    assert any(n.startswith('branch_c.') for n in moved)
    assert not any(n.startswith(FROZEN) for n in moved)
    assert torch.equal(bn.running_mean, running)  # norm_eval: stats fixed


def test_train_pipeline_gives_irns_512_crops(toy_root):
    """IRN's resize (long side 320..640), flip, random 512 crop, padded to
    512 x 512, on the VOC layout."""
    cfg = load('seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512.py')
    loader_cfg = copy.deepcopy(cfg.train_dataloader)
    loader_cfg.update(num_workers=0, persistent_workers=False, batch_size=2)
    loader_cfg.dataset.data_root = osp.join(toy_root, 'VOCdevkit', 'VOC2012')
    batch = next(iter(Runner.build_dataloader(loader_cfg)))
    assert [tuple(x.shape) for x in batch['inputs']] == [(3, 512, 512)] * 2
    assert batch['data_samples'][0].gt_class_labels.shape == (20, )
    # the pipelines are the config's own: images load as the paper
    # config's do (colour, same backend)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert loading(cfg, key) == loading(load('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py'), key)


def loading(cfg, key):
    return [dict(t) for t in cfg[key].dataset.pipeline
            if t['type'] == 'LoadImageFromFile']


@pytest.mark.parametrize('name,mode', [('seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512_cam.py', 'cam'),
                                       ('seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512_acol.py', 'acol')])
def test_ablation_siblings(name, mode):
    cfg = load(name)
    assert cfg.model.mode == mode
    assert cfg.model.backbone == load('seenet/seenet_r50-d16_1xb16-5e_voc12aug-512x512.py').model.backbone
    if mode == 'acol':  # ACoL's erasing and classifier, as seenet_vgg16_1xb16-25k_voc12aug-224x224_acol
        assert (cfg.model.mask_norm, cfg.model.high) == ('minmax', 0.6)
        assert (cfg.model.branch.channels, cfg.model.branch.num_convs) == (
            1024, 2)
