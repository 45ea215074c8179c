"""NewLayersLrConstructor: the 10x / 20x multipliers of new layers."""
import pytest
from mmseg.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

import seenet_mm  # noqa: F401


def tiny_seenet():
    return MODELS.build(dict(
        type='SeeNet', in_channels=16,
        backbone=dict(type='VGG16', widen_factor=0.03125),
        branch=dict(type='AttentionBranch', channels=8), num_classes=3))


def test_new_layers_get_10x_and_20x():
    model = tiny_seenet()
    ctor = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='NewLayersLrConstructor',
        optim_wrapper_cfg=dict(type='OptimWrapper', optimizer=dict(
            type='SGD', lr=1e-3, momentum=0.9, weight_decay=2e-4)),
        paramwise_cfg=dict(new_modules=('branch_a', 'branch_b', 'branch_c'))))
    groups = ctor(model).optimizer.param_groups
    lr_of = {}
    for g in groups:
        for p in g['params']:
            lr_of[id(p)] = g['lr']
    for name, p in model.named_parameters():
        expect = 1e-3
        if name.startswith('branch_'):
            expect = 2e-2 if name.endswith('bias') else 1e-2
        assert lr_of[id(p)] == pytest.approx(expect), name
    assert all(g['weight_decay'] == 2e-4 for g in groups)
    with pytest.raises(KeyError, match='none of new_modules'):
        OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
            type='NewLayersLrConstructor',
            optim_wrapper_cfg=dict(optimizer=dict(type='SGD', lr=1e-3)),
            paramwise_cfg=dict(new_modules=('brnch_a', ))))(model)
