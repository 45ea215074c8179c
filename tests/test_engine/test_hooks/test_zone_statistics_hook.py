"""ZoneStatisticsHook: one log line of T_A's zone fractions per interval."""
from types import SimpleNamespace

from seenet_mm.engine import ZoneStatisticsHook


class Logger:
    def __init__(self):
        self.lines = []

    def info(self, msg):
        self.lines.append(msg)


def test_logs_the_fractions_of_the_loss_dict_at_its_interval():
    runner = SimpleNamespace(iter=0, logger=Logger())
    hook = ZoneStatisticsHook(interval=5)
    outputs = dict(loss=1.0, zone_erased=0.125, zone_potential=0.5,
                   zone_background=0.375)
    for it in range(10):
        runner.iter = it
        hook.after_train_iter(runner, it, None, outputs)
    assert runner.logger.lines == [
        f'T_A zones at iter {n}: erased 0.125, potential 0.500, '
        'background 0.375' for n in (5, 10)]
    # a cam model has no zones: nothing logged
    runner.logger.lines.clear()
    runner.iter = 4
    hook.after_train_iter(runner, 4, None, dict(loss=1.0))
    assert runner.logger.lines == []
