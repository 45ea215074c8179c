"""Proxy labels from attention maps and saliency maps (SeeNet Algorithm 1),
or from the attention maps alone (--method threshold):
:func:`make_proxy_labels`, and the command line of
``tools/make_proxy_labels.py`` over it.

    python tools/make_proxy_labels.py --attention-dir ATT --saliency-dir SAL
        --out-dir LABELS [--w 1.0] [--workers 2] [--split FILE]
        [--ignore-multi THR] [--ignore-conflict LOW HIGH] [--skip-missing]
        [--crf --image-dir JPEGImages [--crf-workers N]]
    python tools/make_proxy_labels.py --attention-dir ATT --out-dir LABELS
        --method threshold [--fg-thr auto|T] [--bg-thr auto|T] [--crf ...]

For every ATT/<name>.npz writes LABELS/<name>.png (VOC palette, 0..M, 255
= ignore) atomically; labels already written are skipped. The class list
(ATT/classes.json, VOC's when absent) is copied to LABELS/classes.json. A
missing saliency or attention file is an error naming it (with
--skip-missing: a warning, and a count at the end). A saliency map of
another size than the attention is resized to it (counted in the summary).

--method threshold (IRN's confident regions, no saliency): the strongest
class where its attention exceeds --fg-thr, background where no attention
exceeds --bg-thr, 255 between; with --crf each side is refined by a dense
CRF with IRN's parameters. The thresholds are ``auto`` by default: per
image from Otsu's split of its maps
(:func:`seenet_mm.datasets.proxy_label.auto_thresholds`). Before anything
is written, labels with too little confident background or foreground to
teach anything are one error with the maps' quantiles and thresholds to
try (:func:`check_threshold_labels`).

The images are labelled in a pool of --workers processes (with --crf:
--crf-workers, which wins; default: the cores available), each image's
label and CRF in one job; the labels are the same for any number of
workers.
"""
from __future__ import annotations

import argparse
import glob
import os.path as osp
import sys
from multiprocessing import Pool
from typing import Optional, Sequence, Tuple

from .. import locking
from ..cli import cli_main, options_namespace
from ..crf import check_workers, cores_available
from ..datasets.proxy_label import (AUTO_BG_MARGIN, AUTO_FG_MARGIN,
                                    BG_THRESHOLD, FG_THRESHOLD,
                                    PROXY_METHODS, check_teaching,
                                    label_shares, peak_map, proxy_label,
                                    threshold_proxy_label)
from ..attention_codec import load_attention
from .image_list import read_names
from ..fileio import (find_image, load_classes, load_saliency, save_classes,
                      save_label_png)


def threshold_value(text: str):
    """A threshold option: ``auto`` or a number."""
    if text == 'auto':
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'expected a number or auto, got {text!r}') from None


def resolve_thresholds(fg_thr, bg_thr) -> tuple:
    """The thresholds of ``--method threshold``: ``auto`` for both when
    neither is given; IRN's value for the one not given when the other is
    a number."""
    if fg_thr is None and bg_thr is None:
        return 'auto', 'auto'
    if fg_thr is None:
        fg_thr = 'auto' if bg_thr == 'auto' else FG_THRESHOLD
    if bg_thr is None:
        bg_thr = 'auto' if fg_thr == 'auto' else BG_THRESHOLD
    return fg_thr, bg_thr


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='tools/make_proxy_labels.py',
        description='Proxy labels from attention maps and saliency maps '
        '(SeeNet Algorithm 1), or from the attention maps alone')
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--saliency-dir', help='grey saliency PNGs (needed '
                        'by --method saliency)')
    parser.add_argument('--method', choices=PROXY_METHODS, default=None,
                        help='saliency: Algorithm 1 (default with '
                        '--saliency-dir); threshold: attention alone, IRN\'s '
                        'confident regions (default without it)')
    parser.add_argument('--fg-thr', type=threshold_value, default=None,
                        help='--method threshold: confident foreground, or '
                        'auto (from each image\'s maps: Otsu\'s split t '
                        f'+ {AUTO_FG_MARGIN:g} (1 - t)); default: auto, or IRN\'s '
                        f'{FG_THRESHOLD} when only --bg-thr is a number')
    parser.add_argument('--bg-thr', type=threshold_value, default=None,
                        help='--method threshold: confident background, or '
                        f'auto (t - {AUTO_BG_MARGIN:g} (1 - t)); '
                        f'default: auto, or IRN\'s {BG_THRESHOLD} when only '
                        '--fg-thr is a number')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--w', type=float, default=1.0,
                        help='weight of the attention (paper: 1)')
    parser.add_argument('--split', help='image names to label (default: '
                        'every .npz in the attention dir)')
    parser.add_argument('--workers', type=int, default=None,
                        help='processes labelling images (default: the '
                        'cores available)')
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
    parser.add_argument('--image-dir', help='JPEGImages (or images) folder, '
                        'for --crf')
    parser.add_argument('--crf-workers', type=int, default=None, metavar='N',
                        help='--crf: processes labelling images and running '
                        'their CRFs (default: --workers, else the cores '
                        'available)')
    return parser


def label_one(job: Tuple) -> Tuple[str, str]:
    """Returns (name, status) with status in done/resized/missing: ..."""
    name, opts = job
    att_path = osp.join(opts['att_dir'], name + '.npz')
    resized = False
    try:
        classes, attention = load_attention(att_path, opts['num_classes'])
        if opts['method'] == 'saliency':
            sal, resized = load_saliency(
                osp.join(opts['sal_dir'], name + '.png'),
                attention.shape[1:])
    except FileNotFoundError as err:
        if opts['skip']:
            return name, f'missing: {err}'
        raise
    image = None
    if opts['img_dir'] is not None:
        import mmcv
        try:
            img_path = find_image(opts['img_dir'], name)
        except FileNotFoundError as err:
            if opts['skip']:
                return name, f'missing: {err}'
            raise
        image = mmcv.imread(img_path, channel_order='rgb')
        if image.shape[:2] != attention.shape[1:]:
            raise ValueError(f'{img_path}: size {image.shape[:2]} differs '
                             f'from its attention {attention.shape[1:]}')
    if opts['method'] == 'threshold':
        label = threshold_proxy_label(attention, classes, opts['fg_thr'],
                                      opts['bg_thr'], crf_image=image)
    else:
        label = proxy_label(sal, attention, classes, w=opts['w'],
                            ignore_multi_thr=opts['multi'],
                            ignore_conflict=opts['conflict'],
                            crf_image=image)
    save_label_png(osp.join(opts['out_dir'], name + '.png'), label)
    return name, 'resized' if resized else 'done'


def check_threshold_labels(args: argparse.Namespace, names: Sequence[str],
                           num_classes: int) -> None:
    """Before anything is written: the labels of ``--method threshold``
    (without CRF) must hold enough confident background and foreground
    (:func:`seenet_mm.datasets.proxy_label.check_teaching`); the error
    gives the per-pixel peaks of the maps and thresholds to try."""
    import numpy as np
    hist = np.zeros(100, np.int64)

    def labels():  # one at a time: the shares need three counts each
        for name in names:
            path = osp.join(args.attention_dir, name + '.npz')
            if args.skip_missing and not osp.isfile(path):
                continue
            classes, attention = load_attention(path, num_classes)
            hist[:] += np.histogram(peak_map(attention), bins=100,
                                    range=(0, 1))[0]
            yield threshold_proxy_label(attention, classes, args.fg_thr,
                                        args.bg_thr)

    shares = label_shares(labels())
    cdf = np.cumsum(hist) / max(int(hist.sum()), 1)

    def quantile(q):
        return (int(np.searchsorted(cdf, q)) + 1) / 100

    peaks = ', '.join(f'{int(q * 100)} % below {quantile(q):.2f}'
                      for q in (0.1, 0.25, 0.5, 0.75, 0.9))
    suggest = ('--fg-thr auto --bg-thr auto, or ' if args.fg_thr != 'auto'
               else '') + (f'--bg-thr {quantile(0.2):.2f} --fg-thr '
                           f'{quantile(0.85):.2f}')
    check_teaching(
        shares, f'the labels of {args.attention_dir} with --fg-thr '
        f'{args.fg_thr} --bg-thr {args.bg_thr}',
        f'The maps\' per-pixel peaks: {peaks}; try {suggest}')


def make_proxy_labels(attention_dir: str, out_dir: str,
                      saliency_dir: Optional[str] = None, **options) -> str:
    """Write a proxy label PNG per attention file of ``attention_dir``
    into ``out_dir`` (resumable); return ``out_dir``. With ``saliency_dir``
    SeeNet's Algorithm 1, without it the threshold method.

    ``options`` are the command line's, by name: ``method``, ``fg_thr``,
    ``bg_thr``, ``w``, ``split``, ``workers``, ``ignore_multi``,
    ``ignore_conflict``, ``skip_missing``, ``crf``, ``image_dir``,
    ``crf_workers``; their defaults are the command line's.
    """
    required = ['--attention-dir', attention_dir, '--out-dir', out_dir]
    if saliency_dir is not None:
        required += ['--saliency-dir', saliency_dir]
    _run(options_namespace(build_parser(), required, options))
    return out_dir


def _run(args: argparse.Namespace) -> None:
    if not osp.isdir(args.attention_dir):
        raise FileNotFoundError(
            f'--attention-dir: {args.attention_dir} is not a folder')
    method = args.method or ('saliency' if args.saliency_dir else 'threshold')
    if method == 'saliency' and not args.saliency_dir:
        raise ValueError('--method saliency needs --saliency-dir')
    if method == 'threshold':
        args.fg_thr, args.bg_thr = resolve_thresholds(args.fg_thr,
                                                      args.bg_thr)
        if (args.fg_thr == 'auto') != (args.bg_thr == 'auto'):
            raise ValueError(f'--fg-thr and --bg-thr are both auto or both '
                             f'numbers, got {args.fg_thr}, {args.bg_thr}')
        if args.fg_thr != 'auto' and \
                not 0 <= args.bg_thr < args.fg_thr <= 1:
            raise ValueError(f'need 0 <= --bg-thr < --fg-thr <= 1, got '
                             f'{args.bg_thr}, {args.fg_thr}')
        rule = ('per image from its maps (auto: Otsu\'s split t '
                f'+ {AUTO_FG_MARGIN:g} (1 - t) / - {AUTO_BG_MARGIN:g} (1 - t))'
                if args.fg_thr == 'auto' else
                f'> {args.fg_thr} / <= {args.bg_thr}')
        print(f'proxy labels without saliency maps (--method threshold): '
              f'class where attention and background where all attention '
              f'is below, 255 between; thresholds {rule}', flush=True)
    classes = load_classes(args.attention_dir)
    if args.crf_workers is not None and not args.crf:
        raise ValueError('--crf-workers needs --crf')
    workers = args.crf_workers if args.crf and args.crf_workers is not None \
        else args.workers
    option = '--crf-workers' if args.crf_workers is not None else '--workers'
    workers = check_workers(cores_available() if workers is None
                            else workers, option)
    if args.crf:
        from seenet_mm.crf import crf_available
        if not args.image_dir:
            raise ValueError('--crf needs --image-dir (the image folder)')
        if not crf_available():
            raise ImportError('--crf needs pydensecrf2: pip install '
                              '"pydensecrf2==1.1"')
    if args.split:
        names = read_names(args.split)
    else:
        names = sorted(osp.basename(p)[:-4] for p in glob.glob(
            osp.join(args.attention_dir, '*.npz')))
    if method == 'threshold':
        check_threshold_labels(args, names, len(classes))
    taken = locking.acquire(args.out_dir)  # one labelling per out dir
    try:
        save_classes(args.out_dir, classes)
        todo = [n for n in names
                if not osp.isfile(osp.join(args.out_dir, n + '.png'))]
        print(f'{len(names)} images, {len(names) - len(todo)} labelled before',
              flush=True)
        conflict: Optional[tuple] = tuple(args.ignore_conflict) \
            if args.ignore_conflict else None
        opts = dict(att_dir=args.attention_dir, sal_dir=args.saliency_dir,
                    out_dir=args.out_dir, w=args.w, multi=args.ignore_multi,
                    conflict=conflict, skip=args.skip_missing,
                    img_dir=args.image_dir if args.crf else None,
                    method=method,
                    fg_thr=args.fg_thr, bg_thr=args.bg_thr,
                    num_classes=len(classes))
        jobs = [(n, opts) for n in todo]
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(jobs), file=sys.stdout) if jobs else None
        counts = {'done': 0, 'resized': 0, 'missing': 0}
        missing = []
        try:
            if workers > 1 and len(jobs) > 1:
                # chunks of up to 8 images, several per worker
                chunksize = max(1, min(8, len(jobs) // (4 * workers)))
                with Pool(workers) as pool:
                    results = pool.imap_unordered(label_one, jobs,
                                                  chunksize=chunksize)
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
        except (FileNotFoundError, ValueError):
            print(flush=True)  # the error's line after the progress bar
            raise
        print()
        for line in missing[:20]:
            print(f'warning: skipped, {line}')
        written = counts['done'] + counts['resized']
        print(f'labels in {args.out_dir}: {written} '
              f'written ({counts["resized"]} with a resized saliency map), '
              f'{counts["missing"]} skipped for missing files', flush=True)

    finally:
        if taken:
            locking.release(args.out_dir)

def main(argv: Optional[Sequence[str]] = None) -> None:
    """``tools/make_proxy_labels.py``: parse ``argv`` and run."""
    cli_main(lambda: _run(build_parser().parse_args(argv)))
