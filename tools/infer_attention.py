"""Attention maps of a trained SeeNet for every image of a split.

    python tools/infer_attention.py CONFIG CKPT --out-dir ATT [--split FILE]
        [--data-root VOC2012_DIR] [--sizes 224 ...] [--scale-fuse max|mean]
        [--norm minmax|max] [--no-flip] [--batch-size 8] [--save-png]
        [--launcher pytorch] [--trust-checkpoint] [--amp | --no-amp]

Writes ATT/<name>.npz (the class ids 1..M of the image's labels and their
maps in [0, 1] at the image's size), atomically, and ATT/classes.json;
images already done are skipped, so a killed run continues. With
--launcher pytorch (tools/dist_infer_attention.sh) the images are split
over the processes, the files bit-identical whatever their number. The
code: ``seenet_mm.apis.infer_attention`` (``seenet_mm.apis.maps``
says what the files hold and how batches are formed).
"""
import argparse

from mmengine.config import DictAction

from seenet_mm import compat
from seenet_mm.apis.maps import infer_attention
from seenet_mm.cli import add_amp_args, cli_main, signature_defaults
from seenet_mm.models.layers import NORMS


def parse_args(argv=None) -> argparse.Namespace:
    defaults = signature_defaults(infer_attention)
    parser = argparse.ArgumentParser(
        prog='tools/infer_attention.py',
        description='Attention maps of a trained SeeNet for every image of '
        'a split')
    parser.set_defaults(**defaults)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--split', help='split list or own-folder JSON '
                        "(default: the config train set's, e.g. trainaug.txt "
                        'or train.json)')
    parser.add_argument('--data-root', help='dataset root: VOCdevkit/VOC2012 '
                        'or an own folder (default: the config\'s)')
    parser.add_argument('--sizes', type=int, nargs='+',
                        help='test sizes (default: the config\'s '
                        'model.test_cfg.sizes, paper: 224); several are '
                        'fused')
    parser.add_argument('--scale-fuse', choices=['max', 'mean'],
                        help='default: model.test_cfg')
    parser.add_argument('--norm', choices=list(NORMS),
                        help='default: model.test_cfg (paper: minmax)')
    parser.add_argument('--no-flip', action='store_true',
                        help='leave out the flipped view (default: '
                        'model.test_cfg.flip)')
    parser.add_argument('--batch-size', type=int, help='images per '
                        f"forward pass (default: {defaults['batch_size']})")
    parser.add_argument('--save-png', action='store_true',
                        help='also write heatmap overlays to OUT/png/')
    parser.add_argument('--device', help='default: cuda when available, '
                        'else cpu')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load CKPT with full unpickling '
                        '(weights_only=False), as listing it in '
                        f'{compat.TRUST_ENV} does; only for a file you '
                        'trust: unpickling can run code stored in it')
    add_amp_args(parser)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--launcher', choices=['none', 'pytorch'])
    parser.add_argument('--labels', choices=['true', 'predicted'],
                        help='maps of the image\'s labelled classes (true, '
                        'the default) or of the classes the classifier '
                        'predicts (predicted: no image labels used)')
    parser.add_argument('--label-threshold', type=float,
                        help='--labels predicted: the probability threshold '
                        '(default: chosen on --tune-split)')
    parser.add_argument('--tune-split', help='--labels predicted: images '
                        'whose labels choose the threshold (best micro F1)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args(argv)




def main(argv=None) -> None:
    def run() -> None:
        args = vars(parse_args(argv))
        args.pop('local_rank')
        positional = [args.pop(k) for k in ('config', 'checkpoint',
                                            'out_dir')]
        infer_attention(*positional, **args)
    cli_main(run)


if __name__ == '__main__':
    main()
