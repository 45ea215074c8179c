"""Proxy labels refined by IRN's random walk over the boundary map of a
trained affinity network.

    python tools/refine_labels.py CONFIG CKPT --attention-dir ATT
        --image-dir IMG --out-dir LABELS [--maps-out MAPS]
        [--saliency-dir SAL] [--seed-dir SEEDS] [--boundary-out DIR]
        [--split FILE] [--workers N] [--device cpu]
        [--radius R] [--beta B] [--steps T] [--sources cold|plain]
        [--bg-thr auto|T] [--bg-score auto|S] [--w 1.0]
        [--skip-missing] [--trust-checkpoint] [--cfg-options ...]

The walk's settings default to the config's ``model.test_cfg``; the
options override them. What the walk does, per image:
``seenet_mm.apis.refinement``; the code: ``seenet_mm.apis.refine_labels``.
"""
import argparse

from mmengine.config import DictAction

from seenet_mm.apis.refinement import BG_SCORE, SOURCES, refine_labels
from seenet_mm.cli import cli_main, signature_defaults, threshold_value
from seenet_mm.random_walk import BETA, RADIUS, STEPS


def parse_args(argv=None) -> argparse.Namespace:
    defaults = signature_defaults(refine_labels)
    parser = argparse.ArgumentParser(
        prog='tools/refine_labels.py',
        description='Proxy labels refined by the random walk of IRN over '
        'the boundary map of a trained affinity network')
    parser.set_defaults(**defaults)
    parser.add_argument('config', help='the affinity network\'s config')
    parser.add_argument('checkpoint')
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--image-dir', required=True,
                        help='JPEGImages (or images) folder')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--maps-out', help='also write the walked maps as attention files')
    parser.add_argument('--boundary-out', help='also write the boundary maps at the image '
                        'size as grey PNGs (for tools/make_gallery.py '
                        '--boundary-dir)')
    parser.add_argument('--saliency-dir', help='walk the saliency maps too and label by '
                        'Algorithm 1 (default: IRN, no saliency)')
    parser.add_argument('--split', help='image names (default: every .npz '
                        'of the attention dir)')
    parser.add_argument('--workers', type=int, help='processes (default: the cores available; '
                        '1 with --device cuda)')
    parser.add_argument('--device', help='where the network runs (default: '
                        f"{defaults['device']})")
    parser.add_argument('--seed-dir', help='the confident seeds the affinity network '
                        'learnt from: kept where they are confident, the '
                        'walk labels their ignored pixels')
    # the walk's settings: the config's model.test_cfg unless given
    parser.add_argument('--radius', type=int, help=f'links of the walk (IRN: {RADIUS})')
    parser.add_argument('--beta', type=float, help=f'power of the affinities (IRN: {BETA:g})')
    parser.add_argument('--steps', type=int, help=f'length of the walk (IRN: {STEPS})')
    parser.add_argument('--sources', choices=SOURCES, help='what the walk starts from: the attention above '
                        'the confident-background threshold (cold) or the '
                        'attention as it is (plain, IRN)')
    parser.add_argument('--bg-thr', type=threshold_value, help='--sources cold: the confident-background '
                        'threshold, or auto (the seeds\' rule)')
    parser.add_argument('--bg-score', type=threshold_value, help='background score without saliency: a number '
                        f'(IRN: {BG_SCORE}) or auto (Otsu\'s split of the '
                        'walked peaks)')
    parser.add_argument('--w', type=float,
                        help='with --saliency-dir: Algorithm 1\'s weight')
    parser.add_argument('--skip-missing', action='store_true')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load a checkpoint that needs full unpickling')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)



def main(argv=None) -> None:
    def run() -> None:
        args = vars(parse_args(argv))
        positional = [args.pop(k) for k in (
            'config', 'checkpoint', 'attention_dir', 'image_dir', 'out_dir')]
        refine_labels(*positional, **args)
    cli_main(run)


if __name__ == '__main__':
    main()
