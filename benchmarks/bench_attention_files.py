"""Attention files: bytes per image and load time, version 2 vs version 1.

    python benchmarks/bench_attention_files.py [--images 40] [--low 24 32]

Two-class 500 x 375 maps like real ones (a few blobs at the network's
resolution ``--low``, scaled to max 1, upsampled bilinearly). Writes each
map as version 1 (float16 ``attention``, ``np.savez``, what ``save_attention``
wrote before) and through ``save_attention`` (version 2: uint8 levels,
row/column deltas, deflate), then reads both with ``load_attention``.
Prints bytes per image, write and load times, the round-trip error, COCO's
size extrapolated, and last a sentence with the figures (goal: <= 100 KB
per image).
"""
import argparse
import os
import os.path as osp
import platform
import tempfile
import time
from typing import List, Tuple

import cv2
import numpy as np

from seenet_mm.attention_codec import (ATTENTION_MAX_ERROR, load_attention,
                                       save_attention)

SIZE = (375, 500)  # (H, W) of a typical VOC image
COCO = dict(images=82081, classes=2.9, size=(480, 640))  # train2014


def smooth_attention(rng: np.random.Generator, k: int = 2,
                     low: Tuple[int, int] = (24, 32)) -> np.ndarray:
    """``[k, 375, 500]`` float32 maps in [0, 1]: blobs plus noise at ``low``
    (H, W), each scaled to max 1, upsampled bilinearly."""
    yy, xx = np.mgrid[:low[0], :low[1]]
    maps = []
    for _ in range(k):
        m = 0.05 * rng.random(low)
        for _ in range(3):
            cy, cx = rng.uniform(0, low[0]), rng.uniform(0, low[1])
            s = rng.uniform(2, 6)
            m += rng.uniform(0.3, 1) * np.exp(
                -((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * s * s))
        m = (m / m.max()).astype(np.float32)
        maps.append(cv2.resize(m, SIZE[::-1], interpolation=cv2.INTER_LINEAR))
    return np.clip(np.stack(maps), 0, 1)


def save_version_1(path: str, classes: List[int], attention: np.ndarray
                   ) -> None:
    """The writer before version 2: float16 ``attention``, no compression."""
    with open(path, 'wb') as f:
        np.savez(f, classes=np.asarray(classes, dtype=np.int64),
                 attention=attention.astype(np.float16),
                 ori_shape=np.asarray(attention.shape[1:], dtype=np.int64))


def timed_loads(paths: List[str], repeats: int = 3) -> float:
    """Best of ``repeats`` passes: seconds to load every file once."""
    best = float('inf')
    for _ in range(repeats):
        start = time.perf_counter()
        for p in paths:
            load_attention(p)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=40)
    parser.add_argument('--low', type=int, nargs=2, default=(24, 32),
                        metavar=('H', 'W'),
                        help="the network's resolution the maps come from")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    maps = [smooth_attention(rng, low=tuple(args.low))
            for _ in range(args.images)]
    with tempfile.TemporaryDirectory() as out:
        paths = {'v1': [], 'v2': []}
        write = {}
        for version, writer in (('v1', save_version_1),
                                ('v2', save_attention)):
            start = time.perf_counter()
            for i, att in enumerate(maps):
                path = osp.join(out, f'{version}_{i}.npz')
                writer(path, [8, 15], att)
                paths[version].append(path)
            write[version] = time.perf_counter() - start
        size = {v: np.mean([os.path.getsize(p) for p in ps])
                for v, ps in paths.items()}
        load = {v: timed_loads(ps) for v, ps in paths.items()}
        error = max(np.abs(load_attention(p)[1] - att).max()
                    for p, att in zip(paths['v2'], maps))
    n = args.images
    per_pixel = size['v2'] / (2 * SIZE[0] * SIZE[1])  # per class map
    coco = {v: size[v] / (2 * SIZE[0] * SIZE[1]) * COCO['classes'] *
            COCO['size'][0] * COCO['size'][1] * COCO['images'] / 1e9
            for v in size}
    print(f'machine: {platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} cores; {n} maps 500x375, 2 classes, upsampled '
          f'from {args.low[0]}x{args.low[1]}')
    print(f'bytes per image: version 1 {size["v1"]:.0f}, version 2 '
          f'{size["v2"]:.0f} ({per_pixel:.3f} per pixel and class)')
    print(f'write ms per image: version 1 {1e3 * write["v1"] / n:.2f}, '
          f'version 2 {1e3 * write["v2"] / n:.2f}')
    print(f'load ms per image: version 1 {1e3 * load["v1"] / n:.2f}, '
          f'version 2 {1e3 * load["v2"] / n:.2f}')
    print(f'max round-trip error of version 2: {error:.5f} '
          f'(bound {ATTENTION_MAX_ERROR:.5f})')
    print(f'COCO train2014 extrapolated ({COCO["images"]} images, '
          f'{COCO["classes"]} classes, 640x480): {coco["v1"]:.0f} GB '
          f'version 1, {coco["v2"]:.1f} GB version 2')
    print(f'Version 2 attention files take {size["v2"] / 1e3:.1f} KB per '
          f'image instead of {size["v1"] / 1e3:.1f} KB '
          f'({size["v1"] / size["v2"]:.1f}x smaller; goal <= 100 KB) and '
          f'load in {load["v2"] / load["v1"]:.2f}x the time of version 1.')


if __name__ == '__main__':
    main()
