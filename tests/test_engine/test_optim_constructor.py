"""NewLayersLrConstructor: Caffe's lr / decay multipliers of weights and
biases, in new layers (10x / 20x) and pre-trained ones (1x / 2x)."""
import pytest
import torch.nn as nn
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS

import seenet_mm  # noqa: F401

BRANCHES = ('branch_a', 'branch_b', 'branch_c')


def build(model, lr=1e-3, weight_decay=2e-4, **paramwise_cfg):
    """The optimizer's ``{parameter name: (lr, weight_decay)}``."""
    optimizer = dict(type='SGD', lr=lr, momentum=0.9)
    if weight_decay is not None:
        optimizer['weight_decay'] = weight_decay
    ctor = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='NewLayersLrConstructor',
        optim_wrapper_cfg=dict(type='OptimWrapper', optimizer=optimizer),
        paramwise_cfg=paramwise_cfg))
    groups = ctor(model).optimizer.param_groups
    of = {}
    for g in groups:
        for p in g['params']:
            assert id(p) not in of, 'a parameter in two groups'
            of[id(p)] = (g['lr'], g['weight_decay'])
    return {name: of[id(p)] for name, p in model.named_parameters()
            if p.requires_grad}


def test_defaults_are_caffes_multipliers(tiny_seenet_model):
    got = build(tiny_seenet_model, new_modules=BRANCHES)
    assert len(got) == len(list(tiny_seenet_model.parameters()))
    for name, (lr, wd) in got.items():
        new = name.startswith('branch_')
        bias = name.endswith('.bias')
        expect = {(False, False): (1e-3, 2e-4), (False, True): (2e-3, 0.0),
                  (True, False): (1e-2, 2e-4), (True, True): (2e-2, 0.0)}
        assert (lr, wd) == pytest.approx(expect[new, bias]), name


def test_former_behaviour_through_options(tiny_seenet_model):
    got = build(tiny_seenet_model, new_modules=BRANCHES, bias_lr_mult=1.0,
                bias_decay_mult=1.0, new_bias_decay_mult=1.0)
    for name, (lr, wd) in got.items():
        expect = 1e-3
        if name.startswith('branch_'):
            expect = 2e-2 if name.endswith('bias') else 1e-2
        assert lr == pytest.approx(expect), name
        assert wd == pytest.approx(2e-4), name


def test_same_multipliers_one_group_in_model_order(tiny_seenet_model):
    """The former settings give the former groups (base, new weights, new
    biases; parameters in the model's order): old optimizer states load."""
    model = tiny_seenet_model
    ctor = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='NewLayersLrConstructor',
        optim_wrapper_cfg=dict(optimizer=dict(
            type='SGD', lr=1e-3, momentum=0.9, weight_decay=2e-4)),
        paramwise_cfg=dict(new_modules=BRANCHES, bias_lr_mult=1.0,
                           bias_decay_mult=1.0, new_bias_decay_mult=1.0)))
    groups = ctor(model).optimizer.param_groups
    assert len(groups) == 3
    named = list(model.named_parameters())
    expect = [[p for n, p in named if not n.startswith('branch_')],
              [p for n, p in named
               if n.startswith('branch_') and not n.endswith('bias')],
              [p for n, p in named
               if n.startswith('branch_') and n.endswith('bias')]]
    for group, params in zip(groups, expect):
        assert [id(p) for p in group['params']] == [id(p) for p in params]
    assert len(OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='NewLayersLrConstructor',
        optim_wrapper_cfg=dict(optimizer=dict(type='SGD', lr=1e-3)),
        paramwise_cfg=dict(new_modules=BRANCHES)))(
            model).optimizer.param_groups) == 4


def test_norm_layers_and_frozen_parameters():
    model = nn.Sequential(nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4),
                          nn.Conv2d(4, 4, 1), nn.Conv2d(4, 2, 1))
    model[0].weight.requires_grad = False
    got = build(model, new_modules=('3', ))
    assert '0.weight' not in got  # frozen: in no group
    # norm layers outside the new layers: base lr and decay, bias included
    assert got['1.weight'] == got['1.bias'] == pytest.approx((1e-3, 2e-4))
    assert got['2.bias'] == pytest.approx((2e-3, 0.0))
    assert got['3.bias'] == pytest.approx((2e-2, 0.0))
    # without weight_decay in the optimizer the groups do not set one
    got = build(model, weight_decay=None, new_modules=('3', ))
    assert {wd for _, wd in got.values()} == {0}


def test_errors(tiny_seenet_model):
    with pytest.raises(KeyError, match='none of new_modules'):
        build(tiny_seenet_model, new_modules=('brnch_a', ))
    with pytest.raises(KeyError, match='unknown paramwise_cfg'):
        build(tiny_seenet_model, new_modules=BRANCHES, bias_mult=2.0)
