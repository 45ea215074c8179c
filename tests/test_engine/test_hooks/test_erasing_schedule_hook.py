"""ErasingScheduleHook: start of S_B/S_C learning and the threshold ramp."""
from types import SimpleNamespace

import pytest
from mmseg.registry import MODELS

from seenet_mm.engine import ErasingScheduleHook


def tiny_seenet():
    return MODELS.build(dict(
        type='SeeNet', in_channels=16,
        backbone=dict(type='VGG16', widen_factor=0.03125),
        branch=dict(type='AttentionBranch', channels=8), num_classes=3))


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
