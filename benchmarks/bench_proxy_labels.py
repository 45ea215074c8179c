"""Proxy labels: vectorised Algorithm 1 vs a per-pixel loop, one core.

    python benchmarks/bench_proxy_labels.py [--images 300] [--loop-images 2]

500 x 375 images with two classes (VOC's typical size). Prints images/s of
both and, last, the ratio (goal: >= 200 images/s and >= 100x the loop).
"""
import argparse
import os
import platform
import time

os.environ.setdefault('OMP_NUM_THREADS', '1')  # one core
import numpy as np  # noqa: E402

from seenet_mm.datasets.label_rules import (  # noqa: E402
    proxy_label, proxy_label_reference)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=300)
    parser.add_argument('--loop-images', type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    data = [(rng.random((375, 500), dtype=np.float32),
             rng.random((2, 375, 500), dtype=np.float32), [8, 15])
            for _ in range(8)]
    for d, a, c in data[:2]:  # warm-up
        proxy_label(d, a, c)
    start = time.perf_counter()
    for i in range(args.images):
        d, a, c = data[i % len(data)]
        proxy_label(d, a, c)
    fast = args.images / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in range(args.loop_images):
        d, a, c = data[i % len(data)]
        ref = proxy_label_reference(d, a, c)
    slow = args.loop_images / (time.perf_counter() - start)
    assert np.array_equal(ref, proxy_label(d, a, c))
    print(f'machine: {platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} cores, OMP_NUM_THREADS='
          f'{os.environ["OMP_NUM_THREADS"]}')
    print(f'vectorised: {fast:.1f} images/s (goal >= 200)')
    print(f'per-pixel loop: {slow:.3f} images/s')
    print(f'ratio vectorised / loop: {fast / slow:.0f}x (goal >= 100x)')


if __name__ == '__main__':
    main()
