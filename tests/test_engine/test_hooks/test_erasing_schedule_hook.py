"""ErasingScheduleHook: start of S_B/S_C learning and the threshold ramp."""
from types import SimpleNamespace

import pytest

from seenet_mm.engine import ErasingScheduleHook


def test_erasing_schedule_and_ramp(tiny_seenet_model):
    model = tiny_seenet_model
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
