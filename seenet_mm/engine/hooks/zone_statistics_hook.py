"""Logging of T_A's zone fractions (SeeNet Sec. 3.2), and a warning when
the background zone stays nearly empty."""
from __future__ import annotations

import logging
from typing import List

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmseg.registry import HOOKS

from .utils import unwrap_model

ZONES = ('erased', 'potential', 'background')
# what the warning proposes (SeeNet's options for how T_A and B_bg are
# formed, each of which keeps the background zone alive on warm maps)
BACKGROUND_OPTIONS = (
    "model.mask_norm='minmax' (normalise each class map by its min and max "
    "instead of clipping at 0 and dividing by the max)",
    'model.low_quantile=0.25 (δl relative to each image: at least its '
    "attention's 25 % quantile)",
    'a larger model.low (δl, paper 0.05)')


@HOOKS.register_module()
class ZoneStatisticsHook(Hook):
    """Every ``interval`` iterations, one log line with the fractions of the
    erased, potential and background zones of T_A; one warning when the
    background zone stays small once erasing runs.

    ``SeeNet.loss`` returns the fractions as logged values
    (``zone_erased``, ``zone_potential``, ``zone_background``), so mmengine
    already keeps them in the message hub (``train/zone_*``) and the log's
    JSON; this hook gives them a line of their own.

    SeeNet's background prior (C-ReLU's sign flip for S_B, S_C's input)
    acts on the background zone only. If, over the ``interval`` iterations
    after the erasing warm-up (the model's ``erasing_weight`` set to 1 by
    ``ErasingScheduleHook``, and ``warmup_intervals`` more intervals), the
    zone covers on average less than ``min_background`` of the feature map,
    the hook warns once, naming the zone's share and the options that widen
    it (:data:`BACKGROUND_OPTIONS`).

    Args:
        interval: iterations between log lines and checks.
        min_background: the warning's threshold (share of the map).
        warmup_intervals: intervals to wait after erasing starts.
    """

    priority = 'BELOW_NORMAL'

    def __init__(self, interval: int = 50, min_background: float = 0.10,
                 warmup_intervals: int = 1) -> None:
        self.interval = interval
        self.min_background = min_background
        self.warmup_intervals = warmup_intervals
        self._window: List[float] = []
        self._erasing_iters = 0
        self.warned = False

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not outputs:
            return
        self._watch_background(runner, outputs)
        if not self.every_n_train_iters(runner, self.interval):
            return
        stats = {z: float(outputs[f'zone_{z}']) for z in ZONES
                 if f'zone_{z}' in outputs}
        if stats:
            runner.logger.info(
                f'T_A zones at iter {runner.iter + 1}: ' + ', '.join(
                    f'{k} {v:.3f}' for k, v in stats.items()))

    def _watch_background(self, runner, outputs) -> None:
        if self.warned or 'zone_background' not in outputs:
            return
        model = unwrap_model(runner) if hasattr(runner, 'model') else None
        if getattr(model, 'erasing_weight', 1.0) < 1.0:
            return  # warm-up: S_A learns alone
        self._erasing_iters += 1
        if self._erasing_iters <= self.warmup_intervals * self.interval:
            return
        self._window.append(float(outputs['zone_background']))
        if len(self._window) < self.interval:
            return
        share = sum(self._window) / len(self._window)
        self._window = []
        if share < self.min_background:
            self.warned = True
            print_log(
                f'ZoneStatisticsHook: the background zone of T_A covers '
                f'{100 * share:.1f} % of the feature map (mean of the '
                f'{self.interval} iterations up to {runner.iter + 1}, after '
                f'the erasing warm-up), under {100 * self.min_background:.0f}'
                ' %: SeeNet\'s background prior (the sign flip of C-ReLU, '
                "S_C's input) sees almost nothing and SeeNet acts like ACoL. "
                'Options: ' + '; '.join(BACKGROUND_OPTIONS) + '.',
                logger='current', level=logging.WARNING)
