"""Optimizer constructor multipliers, schedule hook, snapshot picture."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmseg.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

from seenet_mm.engine import ErasingScheduleHook, snapshot_image
from seenet_mm.engine.hooks import ZONE_COLOURS


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


def test_erasing_schedule_and_ramp():
    model = tiny_seenet()
    runner = SimpleNamespace(model=model, iter=0)
    hook = ErasingScheduleHook(start_iter=10, ramp_iters=10, high_start=0.9,
                               low_start=0.0)
    seen = {}
    for it in (0, 9, 10, 15, 20, 30):
        runner.iter = it
        hook.before_train_iter(runner, it)
        seen[it] = (model.erasing_weight, model.high, model.low)
    assert seen[0][0] == 0 and seen[9][0] == 0 and seen[10][0] == 1
    assert seen[10][1:] == pytest.approx((0.9, 0.0))
    assert seen[15][1:] == pytest.approx((0.8, 0.025))
    assert seen[20][1:] == seen[30][1:] == pytest.approx((0.7, 0.05))


def test_snapshot_picture_panels_and_zone_colours():
    tern = torch.tensor([[[0., 1.], [-1., 1.]]])
    maps = torch.zeros(3, 2, 2)
    maps[1, 0, 0] = 5.0
    snap = dict(inputs=torch.zeros(3, 4, 4), labels=torch.tensor([0., 1, 0]),
                maps_a=maps, maps_b=maps.clone(), ternary=tern)
    row = snapshot_image(snap, torch.tensor([10., 20, 30]), torch.ones(3))
    assert row.shape == (4, 4 * 4 + 3 * 2, 3)
    assert row[0, 0].tolist() == [10, 20, 30]  # denormalised image
    t_panel = row[:, 2 * (4 + 2):2 * (4 + 2) + 4]
    assert t_panel[0, 0].tolist() == list(ZONE_COLOURS[0])  # erased
    assert t_panel[3, 0].tolist() == list(ZONE_COLOURS[-1])  # background
    assert t_panel[0, 3].tolist() == list(ZONE_COLOURS[1])  # potential
    m_a = row[:, 6:10]
    assert not np.array_equal(m_a[0, 0], m_a[3, 3])  # the peak shows
