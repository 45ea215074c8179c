"""Attention inference with --amp against float32, in one run.

    python benchmarks/bench_amp_inference.py [--device cpu|cuda]
        [--images 16] [--batch-size 8] [--repeats N]

SeeNet VGG16 (configs/seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py, full width, random weights) on
500 x 375 images with two classes, test size 224 with the flipped view, as
``tools/infer_attention.py`` runs it (``AttentionInferencer``). Times each
variant over all images (after one warm-up batch; the best of --repeats):
float32, float32 channels-last, autocast, autocast channels-last (autocast:
:func:`seenet_mm.engine.amp.amp_dtype`, float16 on CUDA, bfloat16 on a CPU
with native bfloat16). On a CPU without native bfloat16, where --amp falls
back to float32, the autocast variants are left out (emulated bfloat16 is
many times slower than float32) unless --force-bf16.

Also prints how far the autocast maps are from the float32 ones (max and
mean absolute difference of the [0, 1] maps). The last line gives the
speed-up of --amp as the tool runs it (goal: >= 1.8). ``--no-tf32``: float32
without TF32 on CUDA (see ``bench_amp_training.py``).
"""
import argparse
import os.path as osp
import platform
import time
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.config import Config

import seenet_mm  # noqa: F401
from seenet_mm.apis.attention import AttentionInferencer, init_attention_model
from seenet_mm.engine.amp import (amp_channels_last, amp_dtype,
                                  cpu_supports_bf16, to_channels_last)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def device_name(device: str) -> str:
    if device.startswith('cuda'):
        return torch.cuda.get_device_name(torch.device(device))
    return (f'{platform.processor() or platform.machine()} CPU, '
            f'{torch.get_num_threads()} threads, '
            f'{torch.backends.cpu.get_cpu_capability()}')


def add_tf32_option(parser: argparse.ArgumentParser) -> None:
    """``--no-tf32``: float32 without TF32 on CUDA (see
    :func:`apply_tf32_option`)."""
    parser.add_argument('--no-tf32', action='store_true',
                        help='float32 convolutions and matmuls without TF32 '
                        'on CUDA')


def apply_tf32_option(args: argparse.Namespace) -> None:
    """Forbid TF32 for float32 convolutions and matmuls under ``--no-tf32``
    (torch lets cuDNN use it by default)."""
    if args.no_tf32:
        torch.backends.cudnn.allow_tf32 = False
        torch.backends.cuda.matmul.allow_tf32 = False


def tf32_note(device: str) -> str:
    """On CUDA, whether float32 convolutions may use TF32 (torch's default;
    ``--no-tf32`` forbids it); '' on a CPU."""
    if not device.startswith('cuda'):
        return ''
    if torch.backends.cudnn.allow_tf32:
        return '; float32 convolutions with TF32 (torch\'s default)'
    return '; float32 without TF32'


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def report(times: Dict[str, float], amp: str, native: bool, device: str,
           what: str) -> None:
    """Print the channels-last speed-ups and, last, the speed-up of --amp
    as the tools run it (``amp`` names the autocast rows of ``times``:
    plain float32 where the CPU has no native bfloat16, else
    channels-last where :func:`amp_channels_last` says)."""
    print('channels-last speed-up: ' + ', '.join(
        f'{name} {times[name] / times[name + " channels-last"]:.2f}'
        for name in ('float32', amp) if name in times))
    tool = amp if native else 'float32'
    if native and amp_channels_last(device):  # the fallback stays as is
        tool += ' channels-last'
    print(f'{what} on {device_name(device)}, --amp ({tool}) against '
          f'float32: speed-up {times["float32"] / times[tool]:.2f}')


def run(inf: AttentionInferencer, images: List[np.ndarray], classes,
        batch: int, device: str, repeats: int):
    inf(images[:batch], classes[:batch])  # warm-up
    best, maps = float('inf'), []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        maps = []
        for i in range(0, len(images), batch):
            maps += inf(images[i:i + batch], classes[i:i + batch])
        sync(device)
        best = min(best, time.perf_counter() - start)
    return best, maps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--device', default='cuda' if
                        torch.cuda.is_available() else 'cpu')
    parser.add_argument('--images', type=int, default=16)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--repeats', type=int, default=None,
                        help='best of N passes (default: 2 on a CPU, 20 on '
                        'CUDA, where a pass takes milliseconds)')
    parser.add_argument('--force-bf16', action='store_true',
                        help='time emulated bfloat16 on a CPU without it')
    parser.add_argument('--config', default=osp.join(
        REPO, 'configs', 'seenet', 'seenet_vgg16_1xb16-25k_voc12aug-224x224.py'))
    add_tf32_option(parser)
    args = parser.parse_args()
    apply_tf32_option(args)
    if args.repeats is None:
        args.repeats = 20 if args.device.startswith('cuda') else 2
    torch.manual_seed(0)
    model = init_attention_model(Config.fromfile(args.config), None,
                                 args.device)
    native: Optional[torch.dtype] = amp_dtype(args.device)
    dtype, note = native, ''
    if native is None:
        dtype, note = torch.bfloat16, (' (emulated: this CPU has no native '
                                       'bfloat16, --amp runs float32 here)')
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (375, 500, 3), dtype=np.uint8)
              for _ in range(args.images)]
    classes = [[8, 15]] * args.images
    print(f'device: {device_name(args.device)}; SeeNet VGG16 (full width), '
          f'{args.images} images 500x375, test size 224 + flip, batch '
          f'{args.batch_size}; autocast {str(dtype)[6:]}{note}'
          + tf32_note(args.device), flush=True)
    times: Dict[str, float] = {}
    maps: Dict[str, list] = {}
    variants = [('float32', None, False), ('float32 channels-last', None,
                                             True)]
    if native is not None or args.force_bf16:
        variants += [('autocast', dtype, False),
                     ('autocast channels-last', dtype, True)]
    for name, amp, cl in variants:
        model = model.to(memory_format=torch.contiguous_format) if not cl \
            else to_channels_last(model)
        inf = AttentionInferencer(model, sizes=(224, ), flip=True, amp=amp,
                                  channels_last=cl)
        times[name], maps[name] = run(inf, images, classes, args.batch_size,
                                      args.device, args.repeats)
        diff = np.concatenate([np.abs(a - b).ravel() for a, b in
                               zip(maps[name], maps['float32'])])
        print(f'{name:24s} {times[name] / args.images * 1000:8.1f} ms per '
              f'image; maps vs float32: max |diff| {diff.max():.4f}, mean '
              f'{diff.mean():.5f}', flush=True)
    report(times, 'autocast', native is not None, args.device,
           'attention inference')


if __name__ == '__main__':
    main()
