"""When SeeNet's erasing branches start learning, and a threshold ramp."""
from __future__ import annotations

from typing import Optional

from mmengine.hooks import Hook
from mmseg.registry import HOOKS

from .utils import unwrap_model


@HOOKS.register_module()
class ErasingScheduleHook(Hook):
    """When S_B/S_C start learning, and an optional threshold ramp.

    Args:
        start_iter: before this iteration the S_B/S_C losses are weighted 0
            (S_A alone learns first; every branch still runs, so DDP sees
            all parameters used).
        ramp_iters: iterations over which δh and δl move linearly from
            ``high_start``/``low_start`` to the model's own values.
        high_start: δh at ``start_iter`` (default: the model's δh).
        low_start: δl at ``start_iter`` (default: the model's δl).
    """

    priority = 'NORMAL'

    def __init__(self, start_iter: int = 0, ramp_iters: int = 0,
                 high_start: Optional[float] = None,
                 low_start: Optional[float] = None) -> None:
        if start_iter < 0 or ramp_iters < 0:
            raise ValueError('start_iter and ramp_iters must be >= 0')
        self.start_iter = start_iter
        self.ramp_iters = ramp_iters
        self.high_start = high_start
        self.low_start = low_start
        self._final = None

    def before_train_iter(self, runner, batch_idx: int,
                          data_batch=None) -> None:
        model = unwrap_model(runner)
        if self._final is None:
            self._final = (model.high, model.low)
        it = runner.iter
        model.erasing_weight = 0.0 if it < self.start_iter else 1.0
        if self.ramp_iters:
            t = min(max((it - self.start_iter) / self.ramp_iters, 0.0), 1.0)
            high, low = self._final
            h0 = high if self.high_start is None else self.high_start
            l0 = low if self.low_start is None else self.low_start
            model.high = h0 + t * (high - h0)
            model.low = l0 + t * (low - l0)
