"""Logging of T_A's zone fractions (SeeNet Sec. 3.2)."""
from __future__ import annotations

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

ZONES = ('erased', 'potential', 'background')


@HOOKS.register_module()
class ZoneStatisticsHook(Hook):
    """Every ``interval`` iterations, one log line with the fractions of the
    erased, potential and background zones of T_A.

    ``SeeNet.loss`` returns them as logged values (``zone_erased``,
    ``zone_potential``, ``zone_background``), so mmengine already keeps them
    in the message hub (``train/zone_*``) and the log's JSON; this hook
    gives them a line of their own.
    """

    priority = 'BELOW_NORMAL'

    def __init__(self, interval: int = 50) -> None:
        self.interval = interval

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not outputs or not self.every_n_train_iters(runner,
                                                       self.interval):
            return
        stats = {z: float(outputs[f'zone_{z}']) for z in ZONES
                 if f'zone_{z}' in outputs}
        if stats:
            runner.logger.info(
                f'T_A zones at iter {runner.iter + 1}: ' + ', '.join(
                    f'{k} {v:.3f}' for k, v in stats.items()))
