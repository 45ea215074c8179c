"""NewLayersLrConstructor: the 10x / 20x multipliers of new layers."""
import pytest
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS

import seenet_mm  # noqa: F401


def test_new_layers_get_10x_and_20x(tiny_seenet_model):
    model = tiny_seenet_model
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
