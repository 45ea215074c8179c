"""Peak memory of tools/infer_attention.py for N and 10 N images.

    python benchmarks/bench_inference_memory.py [--n 50]

Generates a toy set of 10 N images, writes a random-weight checkpoint of the
toy SeeNet config, runs the tool on the first N and on all 10 N images, each
in a fresh process, and prints each peak RSS and last their ratio (goal:
flat, <= 1.1).
"""
import argparse
import os
import os.path as osp
import platform
import subprocess
import sys
import tempfile

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(REPO, 'configs', 'toy', 'seenet_vgg16-tiny_1xb16-800_toy-112x112.py')
RUNNER = ('import resource, runpy, sys; sys.argv = sys.argv[1:]; '
          'runpy.run_path(sys.argv[0], run_name="__main__"); '
          'print("PEAK_RSS_KB", resource.getrusage('
          'resource.RUSAGE_SELF).ru_maxrss)')


def peak_rss_kb(args) -> int:
    proc = subprocess.run([sys.executable, '-c', RUNNER] + args, cwd=REPO,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    line = [l for l in proc.stdout.splitlines() if l.startswith('PEAK_RSS')]
    return int(line[-1].split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--n', type=int, default=50)
    args = parser.parse_args()
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS

    import seenet_mm  # noqa: F401
    from seenet_mm.toy import ToyConfig, generate_toy_dataset
    with tempfile.TemporaryDirectory() as tmp:
        voc = generate_toy_dataset(tmp, ToyConfig(num_images=10 * args.n + 1,
                                                  val_fraction=0.001),
                                   progress=False)
        names = open(osp.join(voc, 'ImageSets', 'Segmentation',
                              'train.txt')).read().split()
        splits = {}
        for k in (args.n, 10 * args.n):
            splits[k] = osp.join(tmp, f'split_{k}.txt')
            with open(splits[k], 'w') as f:
                f.write('\n'.join(names[:k]) + '\n')
        cfg = Config.fromfile(CONFIG)
        torch.manual_seed(0)
        ckpt = osp.join(tmp, 'random.pth')
        torch.save({'state_dict': MODELS.build(cfg.model).state_dict()}, ckpt)
        peaks = {}
        for k, split in splits.items():
            out = osp.join(tmp, f'att_{k}')
            peaks[k] = peak_rss_kb([osp.join(REPO, 'tools',
                                             'infer_attention.py'),
                                    CONFIG, ckpt, '--out-dir', out,
                                    '--split', split, '--data-root', voc])
            # one npz per image (beside classes.json)
            assert len([f for f in os.listdir(out)
                        if f.endswith('.npz')]) == k, os.listdir(out)[:5]
    print(f'machine: {platform.machine()}, {os.cpu_count()} cores')
    for k, kb in peaks.items():
        print(f'{k} images: peak RSS {kb / 1024:.0f} MiB')
    print(f'peak RSS ratio {10 * args.n} / {args.n} images: '
          f'{peaks[10 * args.n] / peaks[args.n]:.3f} (goal <= 1.1)')


if __name__ == '__main__':
    main()
