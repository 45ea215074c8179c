"""Store the runner's model channels-last (NHWC) before it runs."""
from __future__ import annotations

import logging

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

from ..amp import to_channels_last


@HOOKS.register_module()
class ChannelsLastHook(Hook):
    """Convert the model's 4-d weights to channels-last before the run
    (before a checkpoint is loaded into them: loading keeps their layout).
    Convolutions then run and return channels-last whatever the layout of
    their input. :func:`seenet_mm.engine.amp.set_amp` adds this hook where
    :func:`seenet_mm.engine.amp.amp_channels_last` measured it faster (a CPU
    with native bfloat16).

    A model wrapped for distributed training is left as it is (its gradient
    buckets were laid out for the current format), with one info line.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        if is_model_wrapper(runner.model):
            print_log('ChannelsLastHook: the model is wrapped for '
                      'distributed training; left channels-first',
                      logger='current', level=logging.INFO)
            return
        to_channels_last(runner.model)
