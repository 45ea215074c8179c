"""Gallery of N images of an attention folder: image | M_A | M_B | fused |
proxy label | ground truth (| refined label | boundary), as PNG rows with
index.md and index.html. The code: ``seenet_mm.apis.write_gallery``."""
import argparse

from mmengine.config import DictAction

from seenet_mm.apis.gallery import write_gallery
from seenet_mm.cli import cli_main, signature_defaults


def parse_args(argv=None) -> argparse.Namespace:
    defaults = signature_defaults(write_gallery)
    parser = argparse.ArgumentParser(
        prog='tools/make_gallery.py',
        description='Gallery of N images: image | M_A | M_B | fused | '
        'proxy label | GT')
    parser.set_defaults(**defaults)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--attention-dir', required=True)
    parser.add_argument('--label-dir')
    parser.add_argument('--refined-dir', help='refined labels: a panel '
                        'after the ground truth')
    parser.add_argument('--boundary-dir', help='boundary maps of '
                        'tools/refine_labels.py --boundary-out: a panel')
    parser.add_argument('--data-root', help='dataset root: VOCdevkit/VOC2012 '
                        'or an own folder (default: the config\'s)')
    parser.add_argument('--gt-dir', help='ground-truth masks (default: '
                        'ROOT/SegmentationClass, else ROOT/masks)')
    parser.add_argument('--split')
    parser.add_argument('--num', type=int,
                        help=f"rows (default: {defaults['num']})")
    parser.add_argument('--size', type=int,
                        help='test size of M_A, M_B (default: the first of '
                        'model.test_cfg.sizes)')
    parser.add_argument('--out-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys (e.g. '
                        'model.num_classes=3)')
    return parser.parse_args(argv)




def main(argv=None) -> None:
    def run() -> None:
        args = vars(parse_args(argv))
        positional = [args.pop(k) for k in ('config', 'checkpoint',
                                            'attention_dir')]
        write_gallery(*positional, **args)
    cli_main(run)


if __name__ == '__main__':
    main()
