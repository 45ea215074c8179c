"""Mixed precision (``--amp``): one decision of the dtype per device, and the
optimizer wrapper that trains under it on a CPU.

* CUDA: float16 autocast, as mmengine's ``AmpOptimWrapper`` (dynamic loss
  scaling) and its ``ValLoop``/``TestLoop`` (``fp16=True``) do.
* CPU: bfloat16 autocast, only where the CPU computes bfloat16 natively
  (oneDNN's check: AVX512-BF16 or AMX). Elsewhere bfloat16 would be emulated
  and slower than float32, so ``--amp`` falls back to float32 with one
  warning line. mmengine's ``AmpOptimWrapper`` refuses a CPU;
  :class:`CPUAmpOptimWrapper` trains there (bfloat16 needs no loss scaling:
  its range is float32's).

Autocast changes the arithmetic only: every map, label and checkpoint is
written in the formats of a float32 run (the attention fusion works in
float32, :func:`seenet_mm.models.fuse_attention`).
"""
from __future__ import annotations

import contextlib
import logging
import os
from typing import Any, Iterator, Optional

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import print_log
from mmengine.optim import OptimWrapper
from mmseg.registry import OPTIM_WRAPPERS

_warned = set()


def cpu_supports_bf16() -> bool:
    """Whether this CPU runs bfloat16 matrix work natively (oneDNN), unless
    the environment variable ``SEENET_CPU_BF16`` says so: ``1`` takes
    bfloat16 on any CPU (emulated where not native: exact but slow),
    ``0`` never."""
    forced = os.environ.get('SEENET_CPU_BF16', '')
    if forced in ('0', '1'):
        return forced == '1'
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # pragma: no cover
        return False


def amp_dtype(device: str) -> Optional[torch.dtype]:
    """The autocast dtype ``--amp`` uses on ``device`` (``'cpu'``,
    ``'cuda'``, ``'cuda:1'``), or None for float32 (a CPU without native
    bfloat16: one warning line, once per process)."""
    kind = torch.device(device).type
    if kind == 'cuda':
        return torch.float16
    if kind == 'cpu':
        if cpu_supports_bf16():
            return torch.bfloat16
        if 'cpu' not in _warned:
            _warned.add('cpu')
            print_log('--amp: this CPU has no native bfloat16 (AVX512-BF16 '
                      'or AMX), where it would be slower than float32; '
                      'running in float32', logger='current',
                      level=logging.WARNING)
        return None
    raise ValueError(f'--amp supports cpu and cuda devices, got {device!r}')


@contextlib.contextmanager
def amp_autocast(device: str, dtype: Optional[torch.dtype]) -> Iterator:
    """``torch.autocast`` on ``device``'s type with ``dtype``; a no-op for
    None (float32)."""
    if dtype is None:
        yield
        return
    with torch.autocast(device_type=torch.device(device).type, dtype=dtype):
        yield


# where channels-last (NHWC) runs under --amp, by device type, as measured
# with benchmarks/bench_amp_inference.py and bench_amp_training.py
# (benchmarks/README.md): on a CPU with native bfloat16, channels-last was
# faster than the default layout in inference and in a training step; on
# CUDA with float16 it gained next to nothing in inference and slowed the
# training step down.
CHANNELS_LAST = {'cpu': True, 'cuda': False}


def amp_channels_last(device: str) -> bool:
    """Whether ``--amp`` also stores the model channels-last on
    ``device`` (where the benchmarks measured it faster)."""
    return CHANNELS_LAST.get(torch.device(device).type, False)


def to_channels_last(model: nn.Module) -> nn.Module:
    """Store ``model``'s 4-d weights channels-last (NHWC); convolutions then
    run and return channels-last whatever their input's layout."""
    return model.to(memory_format=torch.channels_last)


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward passes (``optim_context``) run under
    bfloat16 autocast on the CPU; backward and the update stay float32 (the
    parameters are float32). Without native bfloat16 it trains in float32,
    after :func:`amp_dtype`'s warning.

    Args:
        dtype: ``'bfloat16'`` (the only dtype of CPU autocast) or
            ``'auto'`` (bfloat16 where native, else float32).
        **kwargs: ``OptimWrapper``'s arguments.
    """

    def __init__(self, dtype: str = 'auto', **kwargs) -> None:
        super().__init__(**kwargs)
        if dtype not in ('auto', 'bfloat16'):
            raise ValueError("optim_wrapper.dtype of CPUAmpOptimWrapper must "
                             f"be 'auto' or 'bfloat16', got {dtype!r}")
        self.cast_dtype = torch.bfloat16 if dtype == 'bfloat16' \
            else amp_dtype('cpu')

    @contextlib.contextmanager
    def optim_context(self, model: nn.Module) -> Iterator:
        with super().optim_context(model), \
                amp_autocast('cpu', self.cast_dtype):
            yield


def config_has_hook(cfg: Config, name: str) -> bool:
    """Whether ``cfg`` lists a hook of type ``name`` (in ``custom_hooks``
    or ``default_hooks``)."""
    custom = list(cfg.get('custom_hooks', None) or [])
    default = cfg.get('default_hooks', None) or {}
    for hook in custom + list(default.values()):
        kind = hook.get('type') if isinstance(hook, dict) else hook
        kind = kind if isinstance(kind, str) else getattr(kind, '__name__',
                                                          '')
        if kind.split('.')[-1] == name:
            return True
    return False


def set_amp(cfg: Config, device: Optional[str] = None) -> Optional[Any]:
    """Mixed precision for ``cfg`` (``--amp``, the config key ``amp =
    True``, or ``'auto'`` where :func:`seenet_mm.cli.amp_requested`
    resolves it to True) on ``device`` (default: mmengine's, i.e. CUDA
    when available):
    the optimizer wrapper of training and the validation and test loops
    (``fp16=True``) run under autocast, float16 on CUDA and bfloat16 on a CPU
    with native bfloat16 (:mod:`seenet_mm.engine.amp`); where channels-last
    was measured faster (that CPU), ``ChannelsLastHook`` stores the model
    so.

    Returns:
        the autocast dtype, or None where the CPU falls back to float32 (one
        warning line; the config is left as it is).
    """
    from mmengine.device import get_device

    device = device or get_device()
    dtype = amp_dtype(device)
    if dtype is None:
        return None
    wrapper = cfg.get('optim_wrapper', None)
    if wrapper is not None:
        amp_type = 'AmpOptimWrapper' if device.startswith('cuda') \
            else 'CPUAmpOptimWrapper'
        if wrapper.type in ('AmpOptimWrapper', 'CPUAmpOptimWrapper'):
            if wrapper.type != amp_type:
                raise ValueError(f'optim_wrapper.type is {wrapper.type}, '
                                 f'which does not train on {device}; use '
                                 'OptimWrapper with --amp')
            print_log('AMP training is already enabled in your config.',
                      logger='current', level=logging.WARNING)
        elif wrapper.type != 'OptimWrapper':
            raise ValueError('--amp needs optim_wrapper.type OptimWrapper, '
                             f'got {wrapper.type}')
        elif amp_type == 'AmpOptimWrapper':
            wrapper.type = amp_type
            wrapper.loss_scale = 'dynamic'
        else:
            wrapper.type = amp_type
            wrapper.dtype = 'bfloat16'
    for loop in ('val_cfg', 'test_cfg'):
        if cfg.get(loop, None) is not None:
            cfg[loop]['fp16'] = True
    if amp_channels_last(device) and \
            not config_has_hook(cfg, 'ChannelsLastHook'):
        cfg.custom_hooks = list(cfg.get('custom_hooks', None) or []) + [
            dict(type='ChannelsLastHook')]
    return dtype
