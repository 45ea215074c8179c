"""Seed and proxy-label mIoU of --amp attention maps against float32 ones,
on the same checkpoint (--amp should stay within 0.5 point).

    python tools/analysis_tools/amp_accuracy.py CONFIG CKPT --data-root VOC2012_DIR
        --work-dir DIR [--device cuda|cpu] [--saliency-dir DIR]
        [--split FILE]

Runs the tools as a user would: ``tools/infer_attention.py`` with and
without ``--amp``, ``tools/make_proxy_labels.py`` (Algorithm 1 with the
saliency maps) and ``tools/eval_seeds.py`` on the split's masks (default:
``ImageSets/Segmentation/train.txt``), each into DIR/fp32 and DIR/amp
(resumable). Prints both rows and, last, the largest of the two mIoU
differences. On a CPU without native bfloat16 --amp runs float32 (the tool
warns), and the difference is 0 by construction.
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
from typing import Dict, List

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def run(cmd: List[str]) -> None:
    print('$ ' + ' '.join(cmd), flush=True)
    subprocess.run([sys.executable, *cmd], cwd=REPO, check=True)


def chain(args: argparse.Namespace, amp: bool) -> Dict[str, float]:
    out = osp.join(args.work_dir, 'amp' if amp else 'fp32')
    maps, labels = osp.join(out, 'maps'), osp.join(out, 'labels')
    quality = osp.join(out, 'quality.json')
    split = ['--split', args.split]
    run(['tools/infer_attention.py', args.config, args.checkpoint,
         '--out-dir', maps, '--data-root', args.data_root, '--device',
         args.device, *split, '--amp' if amp else '--no-amp'])
    run(['tools/make_proxy_labels.py', '--attention-dir', maps,
         '--saliency-dir', args.saliency_dir, '--out-dir', labels, *split])
    run(['tools/eval_seeds.py', '--attention-dir', maps, '--label-dir',
         labels, '--gt-dir', osp.join(args.data_root, 'SegmentationClass'),
         '--out', quality, *split])
    with open(quality) as f:
        q = json.load(f)
    return {'seed mIoU': q['seeds']['best']['mIoU'],
            'best threshold': q['seeds']['best_threshold'],
            'proxy-label mIoU': q['labels']['mIoU']}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', required=True)
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--device', default=None,
                        help='default: cuda when available, else cpu')
    parser.add_argument('--saliency-dir')
    parser.add_argument('--split')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    args.device = args.device or ('cuda' if _cuda() else 'cpu')
    args.saliency_dir = args.saliency_dir or osp.join(args.data_root,
                                                      'saliency')
    args.split = args.split or osp.join(args.data_root, 'ImageSets',
                                        'Segmentation', 'train.txt')
    rows = {'float32': chain(args, False), '--amp': chain(args, True)}
    print(f'| maps ({args.device}) | seed mIoU (thr) | proxy-label mIoU |')
    print('|---|---|---|')
    for name, r in rows.items():
        print(f'| {name} | {r["seed mIoU"]:.2f} ({r["best threshold"]:.2f})'
              f' | {r["proxy-label mIoU"]:.2f} |')
    diff = max(abs(rows['--amp'][k] - rows['float32'][k])
               for k in ('seed mIoU', 'proxy-label mIoU'))
    print(f'--amp maps against float32 on {args.device}: largest mIoU '
          f'difference {diff:.3f} points (goal: <= 0.5)')


def _cuda() -> bool:
    import torch
    return torch.cuda.is_available()


if __name__ == '__main__':
    main()
