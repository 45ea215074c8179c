"""Write the synthetic toy set (VOC layout, or the own-folder format for
other class names). The code: ``seenet_mm.apis.make_toy_dataset``."""
import argparse

from seenet_mm.cli import cli_main, signature_defaults
from seenet_mm.apis import make_toy_dataset


def parse_args(argv=None) -> argparse.Namespace:
    defaults = signature_defaults(make_toy_dataset)
    defaults['classes'] = list(defaults['classes'])
    parser = argparse.ArgumentParser(
        prog='tools/make_toy_dataset.py',
        description='Write the synthetic toy set')
    parser.set_defaults(**defaults)
    parser.add_argument('--out', required=True,
                        help='folder that receives VOCdevkit/VOC2012 (VOC '
                        'layout) or the own-folder files')
    parser.add_argument('--seed', type=int)
    parser.add_argument('--num-images', type=int)
    parser.add_argument('--val-fraction', type=float)
    parser.add_argument('--classes', nargs='+',
                        help='class names that may appear (VOC names: VOC '
                        'layout; any other name: the own-folder format)')
    parser.add_argument('--context', action='store_true',
                        help='class-correlated context next to the objects '
                        '(bands of class-specific texture), weak body cues, '
                        'and context masks in context/; off: the '
                        'default toy set')
    parser.add_argument('--saliency-context-prob', type=float,
                        help='with --context: the share of the images whose '
                        'saliency map also fires on the context (0.4-0.9), '
                        'as real saliency models do on some; default 0')
    parser.add_argument('--format', choices=['auto', 'voc', 'folder'],
                        help='auto: voc when every class is '
                        'a VOC name, else folder')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing set with other settings')
    return parser.parse_args(argv)




def main(argv=None) -> None:
    def run() -> None:
        args = vars(parse_args(argv))
        make_toy_dataset(args.pop('out'), **args)
    cli_main(run)


if __name__ == '__main__':
    main()
