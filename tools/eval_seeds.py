"""Quality of attention maps (seed mIoU, threshold sweep) and of proxy
labels against the ground truth.

    python tools/eval_seeds.py --attention-dir ATT --gt-dir GT [--split FILE]
        [--thresholds 0.05 0.10 ...] [--label-dir LABELS] [--out FILE.json]
        [--classes classes.json|train.json] [--context-dir CONTEXT]
        [--zone-thresholds 0.05 0.7] [--oracle] [--tune-split FILE]

Prints a table and writes JSON (default: ATT/seed_eval.json). What is
scored: ``seenet_mm.apis.quality``; the code:
``seenet_mm.apis.evaluate_seeds``.
"""
import argparse

from seenet_mm.apis.quality import evaluate_seeds
from seenet_mm.cli import cli_main, signature_defaults


def parse_args(argv=None) -> argparse.Namespace:
    defaults = signature_defaults(evaluate_seeds)
    low, high = defaults['zone_thresholds']
    parser = argparse.ArgumentParser(
        prog='tools/eval_seeds.py',
        description='Quality of attention maps (seed mIoU, threshold '
        'sweep) and of proxy labels against the ground truth')
    parser.set_defaults(**defaults)
    parser.add_argument('--attention-dir', help='ATT/<name>.npz')
    parser.add_argument('--gt-dir', required=True,
                        help='SegmentationClass folder')
    parser.add_argument('--label-dir', help='proxy labels to score')
    parser.add_argument('--split', help='image names (default: every file '
                        'in the attention / label dir)')
    parser.add_argument('--thresholds', type=float, nargs='+',
                        help='background thresholds of the seed sweep '
                        '(default: 0.05 ... 0.60)')
    parser.add_argument('--out', help='JSON output')
    parser.add_argument('--context-dir', help='context masks <name>.png '
                        '(> 0 = context): report the context spread')
    parser.add_argument('--zone-thresholds', type=float, nargs=2,
                        metavar=('LOW', 'HIGH'),
                        help='zones of the stored maps scored against the '
                        f'ground truth (default: δl, δh = {low}, {high})')
    parser.add_argument('--oracle', action='store_true',
                        help='also score confident seeds at the mask-tuned '
                        'thresholds t* +- 0.10 (t*: the best seed '
                        'threshold) beside the auto thresholds, both '
                        'without CRF (needs --attention-dir)')
    parser.add_argument('--tune-split', help='images the seed threshold '
                        'is chosen on (with masks); the others scored form '
                        'the report split, scored at that threshold beside '
                        'their own best (the oracle)')
    parser.add_argument('--classes', help='class list: a classes.json or an '
                        'own-folder train.json (default: ATT/classes.json, '
                        'else VOC)')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    def run() -> None:
        args = vars(parse_args(argv))
        evaluate_seeds(args.pop('gt_dir'), **args)
    cli_main(run)


if __name__ == '__main__':
    main()
