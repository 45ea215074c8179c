"""Dense CRF in worker processes (CRFPool) vs one process, same label maps.

    python benchmarks/bench_crf_workers.py [--images 16] [--workers 2]
                                           [--size 500 375] [--classes 21]

VOC-size images (500 x 375, 21 classes, DeepLab's CRF parameters) made of
smooth colour regions with noise, and smooth random class probabilities.
Times ``crf_labels`` on every image in this process, then ``CRFPool`` with
``--workers`` processes (starting the pool included), checks that the label
maps are identical and prints, last, the speed-up (goal: >= 1.8 with 2
workers on 2 idle cores).
"""
import argparse
import os
import platform
import time

import cv2
import numpy as np

from seenet_mm.crf import CRFPool, cores_available, crf_available, crf_labels


def make_image(rng: np.random.Generator, w: int, h: int,
               c: int) -> tuple:
    """A uint8 ``[h, w, 3]`` image and float32 ``[c, h, w]``
    probabilities, both smooth with some noise (like a photo and a
    network's upsampled softmax)."""
    img = cv2.resize(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), (w, h),
                     interpolation=cv2.INTER_CUBIC)
    img = np.clip(img.astype(np.int16) + rng.integers(-8, 9, img.shape),
                  0, 255).astype(np.uint8)
    logits = cv2.resize(3 * rng.standard_normal((12, 16, c), np.float32),
                        (w, h), interpolation=cv2.INTER_LINEAR)
    logits = logits.transpose(2, 0, 1)
    probs = np.exp(logits - logits.max(0))
    return img, (probs / probs.sum(0)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--images', type=int, default=16)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--size', type=int, nargs=2, default=(500, 375),
                        metavar=('W', 'H'))
    parser.add_argument('--classes', type=int, default=21)
    args = parser.parse_args()
    if not crf_available():
        raise SystemExit('needs pydensecrf2: pip install "pydensecrf2==1.1"')
    if args.workers < 2:
        raise SystemExit(f'--workers must be >= 2, got {args.workers}')
    load = os.getloadavg()[0]
    w, h = args.size
    rng = np.random.default_rng(0)
    data = [make_image(rng, w, h, args.classes) for _ in range(args.images)]
    images, probs = [d[0] for d in data], [d[1] for d in data]

    start = time.perf_counter()
    serial = [crf_labels(i, p) for i, p in zip(images, probs)]
    t_serial = time.perf_counter() - start
    start = time.perf_counter()
    with CRFPool(args.workers) as pool:
        parallel = pool.labels(images, probs)
    t_pool = time.perf_counter() - start
    same = all(np.array_equal(a, b) for a, b in zip(serial, parallel))
    assert same, 'the pool gave other label maps than one process'

    print(f'machine: {platform.processor() or platform.machine()}, '
          f'{os.cpu_count()} cores ({cores_available()} available), '
          f'load average {load:.2f} before the run')
    print(f'label maps identical: {same}')
    print(f'dense CRF on {args.images} images of {w}x{h}, {args.classes} '
          f'classes: 1 worker {t_serial:.1f} s, {args.workers} workers '
          f'{t_pool:.1f} s, speed-up {t_serial / t_pool:.2f}')


if __name__ == '__main__':
    main()
