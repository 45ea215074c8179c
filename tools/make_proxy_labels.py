"""Proxy labels from attention maps and saliency maps (SeeNet Algorithm 1).

    python tools/make_proxy_labels.py --attention-dir ATT --saliency-dir SAL
        --out-dir LABELS [--w 1.0] [--workers 2] [--split FILE]
        [--ignore-multi THR] [--ignore-conflict LOW HIGH] [--skip-missing]
        [--crf --image-dir JPEGImages]

For every ATT/<name>.npz writes LABELS/<name>.png (VOC palette, 0..20, 255
= ignore) atomically; labels already written are skipped. A missing
saliency or attention file is an error naming it (with --skip-missing: a
warning, and a count at the end). A saliency map of another size than the
attention is resized to it (counted in the summary).
"""
import argparse
import glob
import os
import os.path as osp
import sys
from multiprocessing import Pool
from typing import Optional, Tuple

from seenet_mm.fileio import load_attention, load_saliency, save_label_png
from seenet_mm.datasets.proxy_label import proxy_label


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--saliency-dir', required=True)
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--w', type=float, default=1.0,
                        help='weight of the attention (paper: 1)')
    parser.add_argument('--split', help='image names to label (default: '
                        'every .npz in the attention dir)')
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--ignore-multi', type=float, default=None,
                        metavar='THR', help='255 where >= 2 classes have '
                        'attention >= THR (off by default)')
    parser.add_argument('--ignore-conflict', type=float, nargs=2,
                        default=None, metavar=('LOW', 'HIGH'),
                        help='255 where a class pixel has saliency < LOW or '
                        'a background pixel > HIGH (off by default)')
    parser.add_argument('--skip-missing', action='store_true')
    parser.add_argument('--crf', action='store_true',
                        help='refine the scores with a dense CRF (needs '
                        'pydensecrf2 and --image-dir; DeepLab parameters)')
    parser.add_argument('--image-dir', help='JPEGImages folder (for --crf)')
    return parser.parse_args()


def label_one(job: Tuple) -> Tuple[str, str]:
    """Returns (name, status) with status in done/resized/missing: ..."""
    name, att_dir, sal_dir, out_dir, w, multi, conflict, skip, img_dir = job
    att_path = osp.join(att_dir, name + '.npz')
    sal_path = osp.join(sal_dir, name + '.png')
    try:
        classes, attention = load_attention(att_path)
        sal, resized = load_saliency(sal_path, attention.shape[1:])
    except FileNotFoundError as err:
        if skip:
            return name, f'missing: {err}'
        raise
    image = None
    if img_dir is not None:
        import mmcv
        img_path = osp.join(img_dir, name + '.jpg')
        if not osp.isfile(img_path):
            if skip:
                return name, f'missing: image not found: {img_path}'
            raise FileNotFoundError(f'image not found: {img_path}')
        image = mmcv.imread(img_path, channel_order='rgb')
        if image.shape[:2] != attention.shape[1:]:
            raise ValueError(f'{img_path}: size {image.shape[:2]} differs '
                             f'from its attention {attention.shape[1:]}')
    label = proxy_label(sal, attention, classes, w=w,
                        ignore_multi_thr=multi, ignore_conflict=conflict,
                        crf_image=image)
    save_label_png(osp.join(out_dir, name + '.png'), label)
    return name, 'resized' if resized else 'done'


def main() -> None:
    args = parse_args()
    if not osp.isdir(args.attention_dir):
        sys.exit(f'--attention-dir: {args.attention_dir} is not a folder')
    if args.crf:
        from seenet_mm.crf import crf_available
        if not args.image_dir:
            sys.exit('--crf needs --image-dir (the JPEGImages folder)')
        if not crf_available():
            sys.exit('--crf needs pydensecrf2: pip install "pydensecrf2==1.1"')
    if args.split:
        with open(args.split) as f:
            names = [line.split()[0] for line in f if line.strip()]
    else:
        names = sorted(osp.basename(p)[:-4] for p in glob.glob(
            osp.join(args.attention_dir, '*.npz')))
    os.makedirs(args.out_dir, exist_ok=True)
    todo = [n for n in names
            if not osp.isfile(osp.join(args.out_dir, n + '.png'))]
    print(f'{len(names)} images, {len(names) - len(todo)} labelled before',
          flush=True)
    conflict: Optional[tuple] = tuple(args.ignore_conflict) \
        if args.ignore_conflict else None
    jobs = [(n, args.attention_dir, args.saliency_dir, args.out_dir, args.w,
             args.ignore_multi, conflict, args.skip_missing,
             args.image_dir if args.crf else None) for n in todo]
    from mmengine.utils import ProgressBar
    bar = ProgressBar(len(jobs), file=sys.stdout) if jobs else None
    counts = {'done': 0, 'resized': 0, 'missing': 0}
    missing = []
    try:
        if args.workers > 1 and len(jobs) > 1:
            with Pool(args.workers) as pool:
                results = pool.imap_unordered(label_one, jobs, chunksize=8)
                for name, status in results:
                    counts[status.split(':')[0]] += 1
                    if status.startswith('missing'):
                        missing.append(status)
                    bar.update()
        else:
            for job in jobs:
                name, status = label_one(job)
                counts[status.split(':')[0]] += 1
                if status.startswith('missing'):
                    missing.append(status)
                bar.update()
    except (FileNotFoundError, ValueError) as err:
        sys.exit(f'\nerror: {err}')
    print()
    for line in missing[:20]:
        print(f'warning: skipped, {line}')
    print(f'labels in {args.out_dir}: {counts["done"] + counts["resized"]} '
          f'written ({counts["resized"]} with a resized saliency map), '
          f'{counts["missing"]} skipped for missing files', flush=True)


if __name__ == '__main__':
    main()
