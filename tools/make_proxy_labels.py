"""Proxy labels from attention and saliency maps (SeeNet Algorithm 1), or
from the attention maps alone.

    python tools/make_proxy_labels.py --attention-dir ATT --saliency-dir SAL
        --out-dir LABELS [--w 1.0] [--workers 2] [--split FILE]
        [--ignore-multi THR] [--ignore-conflict LOW HIGH] [--skip-missing]
        [--crf --image-dir JPEGImages [--crf-workers N]]
    python tools/make_proxy_labels.py --attention-dir ATT --out-dir LABELS
        --method threshold [--fg-thr auto|T] [--bg-thr auto|T] [--crf ...]

What is written, the threshold method and the workers:
``seenet_mm.apis.labels``; the code: ``seenet_mm.apis.make_proxy_labels``.
"""
import argparse

from seenet_mm.apis.labels import make_proxy_labels
from seenet_mm.cli import cli_main, signature_defaults, threshold_value
from seenet_mm.datasets.label_rules import (AUTO_BG_MARGIN, AUTO_FG_MARGIN,
                                            BG_THRESHOLD, FG_THRESHOLD,
                                            PROXY_METHODS)


def parse_args(argv=None) -> argparse.Namespace:
    defaults = signature_defaults(make_proxy_labels)
    parser = argparse.ArgumentParser(
        prog='tools/make_proxy_labels.py',
        description='Proxy labels from attention maps and saliency maps '
        '(SeeNet Algorithm 1), or from the attention maps alone')
    parser.set_defaults(**defaults)
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--saliency-dir', help='grey saliency PNGs (needed '
                        'by --method saliency)')
    parser.add_argument('--method', choices=PROXY_METHODS,
                        help='saliency: Algorithm 1 (default with '
                        '--saliency-dir); threshold: attention alone, IRN\'s '
                        'confident regions (default without it)')
    parser.add_argument('--fg-thr', type=threshold_value,
                        help='--method threshold: confident foreground, or '
                        'auto (from each image\'s maps: Otsu\'s split t '
                        f'+ {AUTO_FG_MARGIN:g} (1 - t)); default: auto, or '
                        f'IRN\'s {FG_THRESHOLD} when only --bg-thr is a '
                        'number')
    parser.add_argument('--bg-thr', type=threshold_value,
                        help='--method threshold: confident background, or '
                        f'auto (t - {AUTO_BG_MARGIN:g} (1 - t)); '
                        f'default: auto, or IRN\'s {BG_THRESHOLD} when only '
                        '--fg-thr is a number')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--w', type=float, help='weight of the attention '
                        f'(paper and default: {defaults["w"]:g})')
    parser.add_argument('--split', help='image names to label (default: '
                        'every .npz in the attention dir)')
    parser.add_argument('--workers', type=int,
                        help='processes labelling images (default: the '
                        'cores available)')
    parser.add_argument('--ignore-multi', type=float, metavar='THR',
                        help='255 where >= 2 classes have attention >= THR '
                        '(off by default)')
    parser.add_argument('--ignore-conflict', type=float, nargs=2,
                        metavar=('LOW', 'HIGH'),
                        help='255 where a class pixel has saliency < LOW or '
                        'a background pixel > HIGH (off by default)')
    parser.add_argument('--skip-missing', action='store_true')
    parser.add_argument('--crf', action='store_true',
                        help='refine the scores with a dense CRF (needs '
                        'pydensecrf2 and --image-dir; DeepLab parameters)')
    parser.add_argument('--image-dir', help='JPEGImages (or images) folder, '
                        'for --crf')
    parser.add_argument('--crf-workers', type=int, metavar='N',
                        help='--crf: processes labelling images and running '
                        'their CRFs (default: --workers, else the cores '
                        'available)')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    def run() -> None:
        args = vars(parse_args(argv))
        make_proxy_labels(args.pop('attention_dir'), args.pop('out_dir'),
                          **args)
    cli_main(run)


if __name__ == '__main__':
    main()
