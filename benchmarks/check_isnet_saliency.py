"""IS-Net through ``tools/make_saliency.py`` against the shared CamVid maps.

    SEENET_ISNET_ONNX=FILE python benchmarks/check_isnet_saliency.py
        [--model FILE] [--data-root ../shared/data/camvid] [--split val]
        [--num 3] [--threads 2]

Makes the maps of the first ``--num`` photos of ``--split`` with the
model (default: ``$SEENET_ISNET_ONNX``) and the tool's defaults (IS-Net's
recipe), and compares each with ``saliency/<split>/<name>.png``: prints
the share of pixels equal, within 1 and within 2 grey levels, and the
seconds per photo. Goal: >= 99 % within 2 grey levels on every photo (exit
code 1 otherwise). The model is IS-Net's fp16 ONNX of the npm package
``@imgly/background-removal-data`` 1.4.5 (the data README says how to join
it); the package is AGPL-3.0: read it, never put it in the repository.
"""
import argparse
import os
import os.path as osp
import sys
import tempfile
import time

import numpy as np
from PIL import Image

from seenet_mm.apis.saliency_maps import make_saliency_maps

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CAMVID = osp.join(REPO, '..', 'shared', 'data', 'camvid')
GOAL = 0.99  # share of pixels within 2 grey levels, each photo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', default=os.environ.get(
        'SEENET_ISNET_ONNX', ''), help='IS-Net ONNX file '
        '(default: $SEENET_ISNET_ONNX)')
    parser.add_argument('--data-root', default=CAMVID)
    parser.add_argument('--split', default='val')
    parser.add_argument('--num', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()
    if not osp.isfile(args.model):
        sys.exit('error: no IS-Net ONNX file: pass --model or set '
                 'SEENET_ISNET_ONNX')
    refs = osp.join(args.data_root, 'saliency', args.split)
    if not osp.isdir(refs):
        sys.exit(f'error: no shared saliency maps in {refs}')
    with open(osp.join(args.data_root, args.split + '.txt')) as f:
        names = [line.split()[0] for line in f if line.strip()][:args.num]
    with tempfile.TemporaryDirectory(prefix='isnet_check_') as out:
        start = time.perf_counter()
        make_saliency_maps(args.model, osp.join(args.data_root, args.split),
                           out, names=names, threads=args.threads,
                           progress=False)
        seconds = (time.perf_counter() - start) / len(names)
        worst = 1.0
        print(f'{"photo":<16} {"equal":>7} {"<= 1":>7} {"<= 2":>7} max')
        for name in names:
            got = np.asarray(Image.open(osp.join(out, name + '.png')))
            ref = np.asarray(Image.open(osp.join(refs, name + '.png')))
            if got.shape != ref.shape:
                sys.exit(f'error: {name}: map {got.shape}, shared map '
                         f'{ref.shape}')
            diff = np.abs(got.astype(int) - ref.astype(int))
            within = [(diff <= k).mean() for k in (0, 1, 2)]
            worst = min(worst, within[2])
            print(f'{name:<16} ' + ' '.join(f'{100 * w:6.2f}%'
                                            for w in within) +
                  f' {diff.max()}')
    print(f'{seconds:.1f} s a photo ({args.threads} threads, model load '
          'included)')
    print(f'worst share within 2 grey levels: {100 * worst:.2f} % '
          f'(goal >= {100 * GOAL:.0f} %)')
    if worst < GOAL:
        sys.exit(1)


if __name__ == '__main__':
    main()
