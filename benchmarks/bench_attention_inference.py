"""Attention inference: overhead beyond the forward passes, in one run.

    python benchmarks/bench_attention_inference.py [--images 16]
        [--batch-size 8] [--config configs/seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py]
        [--device cpu|cuda]

SeeNet VGG16 (the paper config, random weights) on 500 x 375 images with two
classes, test size 224 with the flipped view. Prints the seconds of the
forward passes (both views) and of everything else the tool does per image
(input resize and normalisation, per-class normalisation, fusion, flip back,
resize to 500 x 375, writing the npz), and last their ratio (goal: <= 0.15).
On CUDA the forward passes are timed up to a synchronisation, so the time
the GPU takes is theirs and not the next step's.
"""
import argparse
import os.path as osp
import platform
import tempfile
import time

import numpy as np
import torch
from mmengine.config import Config

import seenet_mm  # noqa: F401
from seenet_mm.apis.attention import AttentionInferencer, init_attention_model
from seenet_mm.attention_codec import save_attention

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=16)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--config', default=osp.join(
        REPO, 'configs', 'seenet', 'seenet_vgg16_1xb16-25k_voc12aug-224x224.py'))
    parser.add_argument('--device', default='cuda' if
                        torch.cuda.is_available() else 'cpu')
    args = parser.parse_args()
    torch.manual_seed(0)
    model = init_attention_model(Config.fromfile(args.config), None,
                                 args.device)
    if args.device.startswith('cuda'):
        forward = model.forward_branches

        def synced(*a, **kw):
            out = forward(*a, **kw)
            torch.cuda.synchronize()
            return out

        model.forward_branches = synced
    inf = AttentionInferencer(model, sizes=(224, ), flip=True)
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 255, (375, 500, 3), dtype=np.uint8)
              for _ in range(args.images)]
    classes = [[8, 15]] * args.images
    inf(images[:2], classes[:2])  # warm-up
    inf.timings.clear()
    write = 0.0
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        for i in range(0, args.images, args.batch_size):
            maps = inf(images[i:i + args.batch_size],
                       classes[i:i + args.batch_size])
            t0 = time.perf_counter()
            for j, att in enumerate(maps):
                save_attention(osp.join(out, f'{i + j}.npz'), [8, 15], att)
            write += time.perf_counter() - t0
        total = time.perf_counter() - start
    t = dict(inf.timings)
    overhead = t['prepare'] + t['post'] + write
    where = (torch.cuda.get_device_name(torch.device(args.device))
             if args.device.startswith('cuda') else 'CPU')
    print(f'machine: {platform.machine()}, {torch.get_num_threads()} torch '
          f'threads, {where}; {args.images} images 500x375, 2 classes, '
          f'224 + flip, batch {args.batch_size}')
    print(f'forward passes (2 views): {t["model"]:.2f} s; prepare '
          f'{t["prepare"]:.3f} s, normalise/fuse/resize {t["post"]:.3f} s, '
          f'write {write:.3f} s; total {total:.2f} s '
          f'({args.images / total:.2f} images/s)')
    print(f'overhead / forward passes: {overhead / t["model"]:.3f} '
          f'(goal <= 0.15)')


if __name__ == '__main__':
    main()
