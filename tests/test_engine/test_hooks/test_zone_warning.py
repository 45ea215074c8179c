"""ZoneStatisticsHook warns once, naming the options, when T_A's
background zone stays under 10 % after the erasing warm-up."""
import logging
from types import SimpleNamespace

import torch

from seenet_mm.engine.hooks import ZoneStatisticsHook


class FakeRunner:
    def __init__(self):
        self.iter = 0
        self.model = SimpleNamespace(erasing_weight=0.0)
        self.logger = logging.getLogger('fake')


def run(hook, runner, backgrounds, start):
    for it, bg in enumerate(backgrounds):
        runner.iter = it
        runner.model.erasing_weight = 1.0 if it >= start else 0.0
        hook.after_train_iter(runner, it, outputs=dict(
            zone_background=torch.tensor(bg), zone_erased=torch.tensor(.3),
            zone_potential=torch.tensor(1 - bg - .3)))


def capture(monkeypatch):
    import seenet_mm.engine.hooks.zone_statistics_hook as mod
    logged = []
    monkeypatch.setattr(mod, 'print_log', lambda msg, **kw: logged.append(
        (msg, kw.get('level'))))
    return logged


def test_warns_once_after_warmup(monkeypatch):
    logged = capture(monkeypatch)
    hook = ZoneStatisticsHook(interval=5)
    runner = FakeRunner()
    # warm-up (iters 0-9) and one waiting interval: no warning even with an
    # empty zone
    run(hook, runner, [0.0] * 15, start=10)
    assert not hook.warned and not logged
    run(hook, runner, [0.0] * 30, start=0)
    assert all(level == logging.WARNING for _, level in logged)
    warnings = [m for m, _ in logged]
    assert len(warnings) == 1
    assert 'covers 0.0 % of the feature map' in warnings[0]
    assert "model.mask_norm='minmax'" in warnings[0]
    assert 'model.low_quantile=0.25' in warnings[0]


def test_no_warning_with_a_wide_zone(monkeypatch):
    logged = capture(monkeypatch)
    hook = ZoneStatisticsHook(interval=5)
    run(hook, FakeRunner(), [0.25] * 40, start=0)
    assert not hook.warned and not logged
