"""Convert torchvision's ImageNet VGG16 checkpoint for seenet_mm.

    python tools/convert_vgg16.py vgg16-397923af.pth pretrain/vgg16_seenet.pth
        [--no-fc] [--fc-channels 1024] [--trust-checkpoint]

Writes ``backbone.conv*_*`` keys (for ``VGG16``) and, unless ``--no-fc``,
DeepLab-LargeFOV's decimated conv fc6 (3x3) / fc7 (1x1) as
``decode_head.fc6.conv.*`` / ``decode_head.fc7.conv.*``. Configs load it with
``init_cfg=dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.
"""
import argparse
import os
import os.path as osp

import torch

from seenet_mm.compat import load_local_checkpoint, trust_checkpoint
from seenet_mm.models.backbones.vgg_convert import convert_torchvision_vgg16
from seenet_mm.cli import cli_main
from seenet_mm.fileio import atomic_write


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='torchvision vgg16 checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument('--no-fc', action='store_true',
                        help='skip the fc6/fc7 conversion')
    parser.add_argument('--fc-channels', type=int, default=1024,
                        help='filters kept in fc6/fc7 (DeepLab: 1024)')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='load SRC with full unpickling '
                        '(weights_only=False); only for a file you trust. '
                        "torchvision's vgg16 checkpoint holds plain tensors "
                        'and needs no such trust')
    return parser.parse_args(argv)


def convert(args: argparse.Namespace) -> None:
    if args.trust_checkpoint:
        trust_checkpoint(args.src)
    # weights_only=True: a file needing more is one error naming the opt-in
    state = load_local_checkpoint(args.src, map_location='cpu')
    if not isinstance(state, dict):
        raise ValueError(f'{args.src}: not a state dict of tensors '
                         f'(got {type(state).__name__})')
    converted = convert_torchvision_vgg16(
        state, with_fc=not args.no_fc, fc_channels=args.fc_channels)
    out_dir = osp.dirname(osp.abspath(args.dst))
    os.makedirs(out_dir, exist_ok=True)
    with atomic_write(args.dst) as f:
        torch.save({'state_dict': converted,
                    'meta': {'source': osp.basename(args.src),
                             'converter': 'seenet_mm convert_vgg16'}}, f)
    print(f'wrote {len(converted)} tensors to {args.dst}')


def main(argv=None) -> None:
    cli_main(lambda: convert(parse_args(argv)))


if __name__ == '__main__':
    main()
