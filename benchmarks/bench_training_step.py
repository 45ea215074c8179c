"""Training step of SeeNet (S_A + S_B + S_C) vs CAM (S_A only), in one run.

    python benchmarks/bench_training_step.py [--batch-size 4] [--steps 3]
        [--device cpu|cuda]

VGG16 at 224 x 224, output stride 16 (configs/seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py, random
weights). Prints the multiply-accumulates of the convolutions of one
forward pass (counted with hooks) for both, the measured seconds per
training step (forward + backward + SGD), and last the measured ratio
(goal: <= 1.25; the MAC ratio is ~1.17).
"""
import argparse
import copy
import os.path as osp
import platform
import time

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.structures import BaseDataElement
from mmseg.registry import MODELS

import seenet_mm  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def conv_macs(model: nn.Module, x: torch.Tensor, labels) -> int:
    total = [0]

    def hook(mod, inp, out):
        k = mod.kernel_size[0] * mod.kernel_size[1]
        total[0] += out.numel() * k * mod.in_channels // mod.groups

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model.forward_branches(x, labels)
    for h in handles:
        h.remove()
    return total[0]


def sync(device: str) -> None:
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def step_time(model, x, samples, steps: int, device: str) -> float:
    opt = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    model.train()

    def one():
        opt.zero_grad()
        losses = model(x, samples, mode='loss')
        sum(losses.values()).backward()
        opt.step()

    one()  # warm-up
    sync(device)
    start = time.perf_counter()
    for _ in range(steps):
        one()
    sync(device)
    return (time.perf_counter() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--steps', type=int, default=3)
    parser.add_argument('--device', default='cuda' if
                        torch.cuda.is_available() else 'cpu')
    args = parser.parse_args()
    device = args.device
    cfg = Config.fromfile(osp.join(REPO, 'configs', 'seenet',
                                   'seenet_vgg16_1xb16-25k_voc12aug-224x224.py'))
    torch.manual_seed(0)
    x = torch.randn(args.batch_size, 3, 224, 224, device=device)
    labels = torch.zeros(args.batch_size, 20, device=device)
    labels[:, [7, 14]] = 1
    samples = [BaseDataElement(gt_class_labels=l) for l in labels]
    results = {}
    for mode in ('cam', 'seenet'):
        model_cfg = copy.deepcopy(cfg.model)
        model_cfg.backbone.init_cfg = None
        model_cfg.mode = mode
        model = MODELS.build(model_cfg).to(device)
        results[mode] = (conv_macs(model, x[:1], labels[:1]),
                         step_time(model, x, samples, args.steps, device))
    where = (torch.cuda.get_device_name(torch.device(device))
             if device.startswith('cuda') else 'CPU')
    print(f'machine: {platform.machine()}, {torch.get_num_threads()} torch '
          f'threads, {where}; VGG16 OS16, 224x224, batch {args.batch_size}')
    for mode, (macs, sec) in results.items():
        print(f'{mode}: {macs / 1e9:.2f} GMAC per image (forward), '
              f'{sec:.2f} s per training step')
    mac_ratio = results['seenet'][0] / results['cam'][0]
    print(f'MAC ratio seenet / cam: {mac_ratio:.3f}')
    print(f'training step ratio seenet / cam: '
          f'{results["seenet"][1] / results["cam"][1]:.3f} (goal <= 1.25)')


if __name__ == '__main__':
    main()
