"""IRN's random walk (``seenet_mm.random_walk``): time and memory per image.

    python benchmarks/bench_random_walk.py [--size 375 500] [--channels 3]
        [--threads 1] [--dense-size 64 96]

One image of ``--size`` (H, W) at IRN's stride 4 (93 x 125 for 375 x 500),
``--channels`` maps, radius 5, beta 10, 256 steps, on ``--threads`` cores.
Prints the seconds per image and the extra memory (peak resident set
growth), then the same walk at ``--dense-size`` by the stencil and by IRN's
dense transition matrix squared 8 times, and last the speed-up there.
Goals: <= 1 s per 375 x 500 image on 1 core, <= 64 MiB extra,
>= 100x faster than the dense squaring.
"""
import argparse
import platform
import resource
import time

import torch

from seenet_mm.random_walk import BETA, RADIUS, STEPS, random_walk


def inputs(h: int, w: int, c: int):
    g = torch.Generator().manual_seed(0)
    x = torch.rand(c, h, w, generator=g)
    boundary = 0.3 * torch.rand(h, w, generator=g)
    boundary[:, w // 2] = 0.95
    return x, boundary


def dense_walk(x: torch.Tensor, boundary: torch.Tensor) -> torch.Tensor:
    """IRN's dense route, from the stencil's own links: the N x N matrix,
    its 8 squarings, one product."""
    from seenet_mm.random_walk import transition_weights
    c, h, w = x.shape
    offsets, weights = transition_weights(boundary, RADIUS, BETA)
    n = h * w
    trans = torch.zeros(n, n)
    ys, xs = torch.meshgrid(torch.arange(h), torch.arange(w), indexing='ij')
    dst = (ys * w + xs).reshape(-1)
    for k, (dy, dx) in enumerate(offsets):
        sy, sx = ys + dy, xs + dx
        ok = ((sy >= 0) & (sy < h) & (sx >= 0) & (sx < w)).reshape(-1)
        src = (sy * w + sx).reshape(-1)
        trans[src[ok], dst[ok]] = weights[k].reshape(-1)[ok]
    for _ in range(8):
        trans = trans @ trans
    return ((x * (1 - boundary)).reshape(c, n) @ trans).reshape(c, h, w)


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--size', type=int, nargs=2, default=[375, 500])
    parser.add_argument('--channels', type=int, default=3)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--dense-size', type=int, nargs=2, default=[64, 96])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    h, w = (s // 4 for s in args.size)
    x, boundary = inputs(h, w, args.channels)
    random_walk(*inputs(8, 8, 1), steps=2)  # warm-up
    before = rss_mib()
    start = time.perf_counter()
    random_walk(x, boundary, RADIUS, BETA, STEPS)
    seconds = time.perf_counter() - start
    extra = rss_mib() - before
    print(f'{platform.processor() or platform.machine()}, {args.threads} '
          f'thread(s): {args.size[0]} x {args.size[1]} image, {h} x {w} at '
          f'stride 4, {args.channels} maps, {STEPS} steps: {seconds:.3f} s, '
          f'{extra:.1f} MiB extra (peak resident set)')
    dh, dw = args.dense_size
    x, boundary = inputs(dh, dw, args.channels)
    start = time.perf_counter()
    stencil = random_walk(x, boundary)
    t_stencil = time.perf_counter() - start
    start = time.perf_counter()
    dense = dense_walk(x, boundary)
    t_dense = time.perf_counter() - start
    diff = (stencil - dense).abs().max().item()
    print(f'{dh} x {dw}: stencil {t_stencil:.3f} s, dense squaring '
          f'{t_dense:.3f} s (max difference {diff:.1e}): '
          f'{t_dense / t_stencil:.1f}x faster')


if __name__ == '__main__':
    main()
