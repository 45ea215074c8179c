"""SeeNet training step with --amp against float32, in one run.

    python benchmarks/bench_amp_training.py [--device cpu|cuda]
        [--batch-size 4] [--steps N] [--profile N] [--no-tf32]

VGG16 at 224 x 224, output stride 16 (configs/seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py, full
width, random weights, all three branches: erasing on), one step = forward,
backward and SGD through the optimizer wrapper ``tools/train.py --amp``
builds (:func:`seenet_mm.engine.amp.set_amp`: ``CPUAmpOptimWrapper`` with
bfloat16 on a CPU, mmengine's ``AmpOptimWrapper`` with float16 and dynamic loss
scaling on CUDA), against ``OptimWrapper`` in float32, each also with the
model channels-last. On a CPU without native bfloat16 (where --amp falls
back to float32) the bfloat16 variants are left out unless --force-bf16
(emulated, many times slower). The last
line gives the speed-up of --amp as the tool runs it (goal: >= 1.5).

``--profile N`` also profiles N steps of float32 and of --amp
(``torch.profiler``, after all the timings) and prints, per variant, the
wall time per profiled step and, on CUDA, the time the GPU spent in kernels
and copies per step with their number, and those that took the most time
(on a CPU: the ops that took the most CPU time). Where the kernels fill a
small part of the wall time the step is bound by the host (launches,
Python), not by the arithmetic that --amp speeds up; the profiler itself
lengthens the wall time, so compare the kernel time with the timed rows.

``--no-tf32`` times float32 without TF32 (torch lets cuDNN use TF32 tensor
cores for float32 convolutions by default, so the default float32 rows on
an Ampere or later GPU are TF32 rows).
"""
import argparse
import copy
import os.path as osp
import time
from typing import Dict

import torch
from mmengine.config import Config
from mmengine.structures import BaseDataElement
from mmseg.registry import MODELS, OPTIM_WRAPPERS

import seenet_mm  # noqa: F401
from seenet_mm.engine.amp import set_amp
from seenet_mm.engine.amp import amp_dtype, to_channels_last

from bench_amp_inference import (  # noqa: E402
    add_tf32_option, apply_tf32_option, device_name, report, sync, tf32_note)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def wrapper_cfg(device: str, amp: bool) -> dict:
    cfg = Config(dict(optim_wrapper=dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=1e-4, momentum=0.9))))
    if amp and set_amp(cfg, device) is None:  # CPU fallback: force bf16
        cfg.optim_wrapper.type = 'CPUAmpOptimWrapper'
        cfg.optim_wrapper.dtype = 'bfloat16'
    wrapper = cfg.optim_wrapper.to_dict()
    wrapper.pop('optimizer')
    return wrapper


def train_step(model, wrapper, x, samples) -> None:
    """One training step as the runner makes it: forward and loss under the
    wrapper's context (autocast with --amp), backward and SGD."""
    with wrapper.optim_context(model):
        losses = model(x, samples, mode='loss')
    wrapper.update_params(sum(losses.values()))


def step_time(model, wrapper, x, samples, steps: int, device: str) -> float:
    model.train()
    # warm-up (and the first loss-scale adjustment)
    train_step(model, wrapper, x, samples)
    sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        train_step(model, wrapper, x, samples)
    sync(device)
    return (time.perf_counter() - start) / steps


def profile_steps(model, wrapper, x, samples, steps: int, device: str,
                  name: str) -> None:
    """Profile ``steps`` training steps and print where their time went
    (see the module docstring)."""
    from torch.autograd import DeviceType
    from torch.profiler import ProfilerActivity, profile
    model.train()
    train_step(model, wrapper, x, samples)
    cuda = device.startswith('cuda')
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA]
                                           if cuda else [])
    sync(device)
    with profile(activities=activities) as prof:
        start = time.perf_counter()
        for _ in range(steps):
            train_step(model, wrapper, x, samples)
        sync(device)
        wall = (time.perf_counter() - start) / steps
    if not cuda:
        print(f'profile {name}: {wall * 1000:.1f} ms per step (profiled); '
              'the ops that took the most CPU time:')
        print(prof.key_averages().table(sort_by='self_cpu_time_total',
                                        row_limit=8))
        return
    kernels: Dict[str, list] = {}
    for e in prof.events():
        # user annotations (e.g. Optimizer.step#SGD.step) are ranges on the
        # GPU's timeline around kernels, not kernels
        if e.device_type == DeviceType.CUDA and not getattr(
                e, 'is_user_annotation', False):
            k = kernels.setdefault(e.name, [0, 0.0])
            k[0] += 1
            k[1] += e.time_range.elapsed_us() / 1000
    busy = sum(t for _, t in kernels.values()) / steps
    count = sum(n for n, _ in kernels.values()) / steps
    print(f'profile {name}: {wall * 1000:.1f} ms per step (profiled), the '
          f'GPU busy {busy:.1f} ms of it ({100 * busy / (wall * 1000):.0f} '
          f'%) in {count:.0f} kernels and copies per step; the most time:')
    for kname, (n, t) in sorted(kernels.items(),
                                key=lambda kv: -kv[1][1])[:6]:
        print(f'  {t / steps:7.2f} ms  {n / steps:5.0f}x  {kname[:90]}')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cuda' if
                        torch.cuda.is_available() else 'cpu')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--steps', type=int, default=None,
                        help='timed steps (default: 3 on a CPU, 50 on CUDA, '
                        'where a step takes milliseconds)')
    parser.add_argument('--force-bf16', action='store_true',
                        help='time emulated bfloat16 on a CPU without it')
    parser.add_argument('--profile', type=int, default=0, metavar='N',
                        help='also profile N steps of float32 and --amp')
    add_tf32_option(parser)
    args = parser.parse_args()
    if args.profile < 0:
        parser.error('--profile N needs N >= 1 (0: no profile)')
    apply_tf32_option(args)
    if args.steps is None:
        args.steps = 50 if args.device.startswith('cuda') else 3
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'seenet',
                                   'seenet_vgg16_1xb16-25k_voc12aug-224x224.py'))
    native = amp_dtype(args.device)
    torch.manual_seed(0)
    x = torch.randn(args.batch_size, 3, 224, 224, device=args.device)
    labels = torch.zeros(args.batch_size, 20, device=args.device)
    labels[:, [7, 14]] = 1
    samples = [BaseDataElement(gt_class_labels=lab) for lab in labels]
    model_cfg = copy.deepcopy(cfg.model)
    model_cfg.backbone.init_cfg = None
    base = MODELS.build(model_cfg).to(args.device)
    dtype = 'float16' if args.device.startswith('cuda') else 'bfloat16'
    note = '' if native is not None else ' emulated'
    print(f'device: {device_name(args.device)}; SeeNet VGG16 OS16 (full '
          f'width), 224x224, batch {args.batch_size}, {args.steps} steps; '
          f'--amp: {dtype}{note}' + tf32_note(args.device), flush=True)
    times: Dict[str, float] = {}
    variants = [('float32', False, False),
                ('float32 channels-last', False, True)]
    if native is not None or args.force_bf16:
        variants += [('amp', True, False), ('amp channels-last', True, True)]
    profiled = []
    for name, amp, cl in variants:
        model = copy.deepcopy(base)
        if cl:
            model = to_channels_last(model)
            inputs = x.contiguous(memory_format=torch.channels_last)
        else:
            inputs = x
        wrapper = OPTIM_WRAPPERS.build(
            wrapper_cfg(args.device, amp),
            default_args=dict(optimizer=torch.optim.SGD(
                model.parameters(), lr=1e-4, momentum=0.9)))
        times[name] = step_time(model, wrapper, inputs, samples, args.steps,
                                args.device)
        print(f'{name:22s} {times[name] * 1000:8.1f} ms per step',
              flush=True)
        if args.profile and not cl and (amp or name == 'float32'):
            profiled.append((model, wrapper, inputs, name))
    # after every timing: a profiler session can slow the launches of what
    # runs after it in the process
    for model, wrapper, inputs, name in profiled:
        profile_steps(model, wrapper, inputs, samples, args.profile,
                      args.device, name)
    report(times, 'amp', native is not None, args.device,
           'SeeNet training step')


if __name__ == '__main__':
    main()
