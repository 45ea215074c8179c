"""Learning rate and weight decay of every parameter, as the real configs
build them (models without their pre-trained weights, nothing else changed).

References: DeepLab-LargeFOV train.prototxt (every layer ``blobs_lr: 1, 2``,
``weight_decay: 1, 0``; fc8 ``blobs_lr: 10, 20``); DeepLab v2 ResNet-101
(BN frozen; classifier weights 10x, biases 20x without decay); SeeNet's
authors' Caffe nets (``lr_mult`` 1 / 2, ``decay_mult`` 1 / 0).
"""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmseg.registry import MODELS

from conftest import REPO
from seenet_mm.utils import register_all_modules

register_all_modules()


def load(name):
    return Config.fromfile(osp.join(REPO, 'configs', name))


def build_model(cfg):
    """``cfg.model`` without pre-trained weights (never loaded here)."""
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.pop('pretrained', None)
    for part in ('backbone', 'decode_head'):
        if part in model_cfg:
            model_cfg[part].pop('init_cfg', None)
    return MODELS.build(model_cfg)


def lr_and_decay(model, cfg):
    """``{name: (lr, weight_decay)}`` of the parameters the optimizer holds,
    built by the config's own constructor; each parameter once."""
    groups = build_optim_wrapper(model, copy.deepcopy(
        cfg.optim_wrapper)).optimizer.param_groups
    of = {}
    for g in groups:
        for p in g['params']:
            assert id(p) not in of, 'a parameter in two groups'
            of[id(p)] = (g['lr'], g['weight_decay'])
    names = {id(p): n for n, p in model.named_parameters()}
    return {names[i]: v for i, v in of.items()}


def check(got, expect):
    """Compare every parameter's ``(lr, weight_decay)`` with ``expect``."""
    assert got, 'no parameter in the optimizer'
    for name, value in got.items():
        assert value == pytest.approx(expect(name)), name


def caffe_rule(lr, wd, is_new):
    """Caffe's multipliers: weights 1x (new 10x) with decay, biases 2x (new
    20x) without."""
    def expect(name):
        mult = 10.0 if is_new(name) else 1.0
        if name.endswith('.bias'):
            return (2 * mult * lr, 0.0)
        return (mult * lr, wd)
    return expect


def test_vgg16_largefov_recipe_of_deeplab():
    cfg = load('deeplab_largefov/'
               'deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py')
    model = build_model(cfg)
    assert isinstance(model.backbone.pool5a, torch.nn.AvgPool2d)
    assert type(model.decode_head.fc6_dropout) is torch.nn.Dropout
    assert type(model.decode_head.dropout) is torch.nn.Dropout
    got = lr_and_decay(model, cfg)
    assert set(got) == {n for n, _ in model.named_parameters()}
    # fc6/fc7 hold converted ImageNet fc weights: only fc8 is new
    check(got, caffe_rule(1e-3, 5e-4,
                          lambda n: n.startswith('decode_head.conv_seg.')))
    assert got['backbone.conv1_1.conv.bias'] == pytest.approx((2e-3, 0))
    assert got['decode_head.fc6.conv.bias'] == pytest.approx((2e-3, 0))
    assert got['decode_head.conv_seg.bias'] == pytest.approx((2e-2, 0))


def test_r101_largefov_recipe_of_deeplab_v2():
    cfg = load('deeplab_largefov/'
               'deeplab-largefov_r101-d8_1xb10-20k_voc12aug-321x321.py')
    model = build_model(cfg)
    model.train()
    bns = [m for m in model.backbone.modules()
           if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    assert len(bns) > 100
    assert not any(m.training for m in bns)  # norm_eval: statistics fixed
    assert not any(p.requires_grad for m in bns for p in m.parameters())
    assert not hasattr(model.backbone, 'pool5a')
    got = lr_and_decay(model, cfg)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert set(got) == trainable  # BN affine parameters: in no group
    assert not any('bn' in n or 'stem.1' in n for n in got)
    # no fc weights to load on ResNet: fc6, fc7 and fc8 are new layers
    new = ('decode_head.fc6.', 'decode_head.fc7.', 'decode_head.conv_seg.')
    check(got, caffe_rule(2.5e-4, 5e-4, lambda n: n.startswith(new)))
    for layer in ('fc6.conv', 'fc7.conv', 'conv_seg'):
        assert got[f'decode_head.{layer}.weight'] == pytest.approx(
            (2.5e-3, 5e-4))
        assert got[f'decode_head.{layer}.bias'] == pytest.approx((5e-3, 0))
    assert not any(n.startswith('backbone.') and n.endswith('.bias')
                   for n in got)  # ResNet's convolutions have no bias
    # frozen SyncBN runs on CPU in train mode (no synchronisation in eval)
    running = bns[0].running_mean.clone()
    with torch.no_grad():
        model.backbone(torch.randn(1, 3, 33, 33))
    assert torch.equal(bns[0].running_mean, running)


def test_seenet_recipe_of_the_authors():
    cfg = load('seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py')
    model = build_model(cfg)
    got = lr_and_decay(model, cfg)
    assert set(got) == {n for n, _ in model.named_parameters()}
    check(got, caffe_rule(1e-3, 2e-4, lambda n: n.startswith('branch_')))
    assert got['backbone.conv5_3.conv.bias'] == pytest.approx((2e-3, 0))
    assert got['branch_a.score.bias'] == pytest.approx((2e-2, 0))


def test_toy_largefov_keeps_its_recipe():
    """From scratch: one lr and decay for all but fc8 (10x / 20x, decayed),
    no pool5a, channel dropout (the toy figures do not move)."""
    cfg = load('toy/deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py')
    model = build_model(cfg)
    assert not hasattr(model.backbone, 'pool5a')
    assert type(model.decode_head.fc6_dropout) is torch.nn.Dropout2d
    assert type(model.decode_head.dropout) is torch.nn.Dropout2d
    got = lr_and_decay(model, cfg)
    assert set(got) == {n for n, _ in model.named_parameters()}

    def expect(name):
        if name == 'decode_head.conv_seg.weight':
            return (0.1, 5e-4)
        if name == 'decode_head.conv_seg.bias':
            return (0.2, 5e-4)
        return (0.01, 5e-4)
    check(got, expect)
    assert 'backbone.conv1_1.bn.bias' in got  # BN: no conv bias


def test_toy_seenet_one_lr_for_all():
    cfg = load('toy/seenet_vgg16-tiny_1xb16-800_toy-112x112.py')
    model = build_model(cfg)
    got = lr_and_decay(model, cfg)
    assert set(got) == {n for n, _ in model.named_parameters()}
    check(got, lambda name: (0.01, 2e-4))
