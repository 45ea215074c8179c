"""How far the saliency maps alone let Algorithm 1 go: proxy labels from
perfect attention (each image class's true mask as A) and the saliency maps
D, scored against the masks; and the saliency's recall per class (share of
each class's pixels where D >= 0.5).

    python tools/analysis_tools/saliency_ceiling.py DIR [--split train]
        [--saliency-dir DIR/saliency] [--out FILE.json]

DIR: a dataset in the own-folder format (masks/, saliency/, <split>.json),
e.g. the CamVid views of ``--preset camvid``. What a perfect attention
network would reach with these maps: the ceiling the saliency sets on
Algorithm 1's labels.
"""
import argparse
import json
import os.path as osp

import numpy as np

from seenet_mm.cli import cli_main
from seenet_mm.datasets.image_folder import read_split
from seenet_mm.datasets.label_rules import proxy_label
from seenet_mm.fileio import load_label_png, load_saliency, write_json
from seenet_mm.metainfo import IGNORE_INDEX


def saliency_ceiling(root: str, split: str = 'train',
                     saliency_dir: str = None) -> dict:
    """mIoU of Algorithm 1 with the true masks as attention, and the
    saliency's recall per class, over ``split``'s images."""
    classes, entries = read_split(osp.join(root, f'{split}.json'))
    saliency_dir = saliency_dir or osp.join(root, 'saliency')
    n = len(classes) + 1
    confusion = np.zeros((n, n), np.int64)
    hit, total = np.zeros(n), np.zeros(n)
    for entry in entries:
        name = osp.splitext(entry['img_path'])[0]
        mask = load_label_png(osp.join(root, 'masks', name + '.png'))
        sal, _ = load_saliency(osp.join(saliency_dir, name + '.png'))
        ids = list(entry['gt_class_ids'])  # 1..M
        attention = np.stack([(mask == i).astype(np.float32) for i in ids])
        label = proxy_label(sal, attention, ids)
        valid = mask != IGNORE_INDEX
        confusion += np.bincount(n * mask[valid].astype(np.int64)
                                 + label[valid], minlength=n * n
                                 ).reshape(n, n)
        for i in range(n):
            region = mask == i
            total[i] += region.sum()
            hit[i] += (region & (sal >= 0.5)).sum()
    inter = np.diag(confusion)
    union = confusion.sum(0) + confusion.sum(1) - inter
    iou = 100 * inter / np.maximum(union, 1)
    names = ['background', *classes]
    return dict(split=split, images=len(entries),
                mIoU=float(iou.mean()),
                IoU=dict(zip(names, iou.round(2).tolist())),
                saliency_recall=dict(zip(
                    names, (100 * hit / np.maximum(total, 1)).round(2)
                    .tolist())))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root')
    parser.add_argument('--split', default='train')
    parser.add_argument('--saliency-dir')
    parser.add_argument('--out')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)

    def run():
        result = saliency_ceiling(args.root, args.split, args.saliency_dir)
        print(json.dumps(result, indent=1))
        if args.out:
            write_json(args.out, result)
    cli_main(run)


if __name__ == '__main__':
    main()
