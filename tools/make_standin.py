"""Make the toy stand-in for ImageNet weights, once per machine (the main
job makes it in its ``standin`` stage). The code:
``seenet_mm.apis.make_standin``."""
import argparse

from mmengine.config import DictAction

from seenet_mm.cli import add_amp_args, cli_main, signature_defaults
from seenet_mm.apis import make_standin


def parse_args(argv=None) -> argparse.Namespace:
    defaults = signature_defaults(make_standin)
    parser = argparse.ArgumentParser(
        prog='tools/make_standin.py',
        description='Make the toy stand-in for ImageNet weights (once per '
        'machine)')
    parser.set_defaults(**defaults)
    parser.add_argument('--config',
                        help='the pretraining config')
    parser.add_argument('--seed', type=int,
                        help='seed of the pretraining set and the training')
    parser.add_argument('--num-images', type=int,
                        help=f"default: {defaults['num_images']}")
    parser.add_argument('--out-dir',
                        help='the stand-in folder (default: the shared one)')
    parser.add_argument('--name', help=f"default: {defaults['name']}")
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a stand-in made with other settings')
    parser.add_argument('--if-missing', action='store_true',
                        help='keep a stand-in made with any settings (the '
                        'main job: whatever stand-in the toy configs load)')
    add_amp_args(parser)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config')
    return parser.parse_args(argv)




def main(argv=None) -> None:
    cli_main(lambda: make_standin(**vars(parse_args(argv))))


if __name__ == '__main__':
    main()
