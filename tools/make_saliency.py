"""Salient-object maps from a U²-Net / IS-Net style ONNX model.

    python tools/make_saliency.py MODEL.onnx --image-dir IMG --out-dir SAL
        [--size H W] [--mean R G B] [--std R G B] [--workers N]
        [--threads N] [--list FILE] [--no-progress]

Writes SAL/<stem>.png, an 8-bit grey map per image of IMG (or per stem of
--list), with onnxruntime on the CPU; maps already there are skipped. The
defaults are IS-Net's (1024 x 1024, x / 255 - 0.5); for U²-Net pass
``--size 320 320 --mean 0.485 0.456 0.406 --std 0.229 0.224 0.225``. The
recipe and the model checks: ``seenet_mm.apis.saliency_maps``.
"""
import argparse

from seenet_mm.apis.image_list import read_names
from seenet_mm.apis.saliency_maps import (ISNET_MEAN, ISNET_SIZE, ISNET_STD,
                                          make_saliency_maps)
from seenet_mm.cli import cli_main


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('model', help='the ONNX model (IS-Net, U²-Net)')
    parser.add_argument('--image-dir', required=True,
                        help='the images (.jpg, .jpeg, .png)')
    parser.add_argument('--out-dir', required=True,
                        help='where the maps go (<stem>.png)')
    parser.add_argument('--size', type=int, nargs=2, metavar=('H', 'W'),
                        default=list(ISNET_SIZE),
                        help="the model's input size (default: IS-Net's "
                        '1024 1024; U²-Net: 320 320)')
    parser.add_argument('--mean', type=float, nargs=3,
                        metavar=('R', 'G', 'B'), default=list(ISNET_MEAN),
                        help='subtracted from x / 255 (default: IS-Net\'s '
                        '0.5 0.5 0.5)')
    parser.add_argument('--std', type=float, nargs=3,
                        metavar=('R', 'G', 'B'), default=list(ISNET_STD),
                        help='divides x / 255 - mean (default: IS-Net\'s '
                        '1 1 1)')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes, one onnxruntime session each')
    parser.add_argument('--threads', type=int, default=0,
                        help="onnxruntime's threads per session (0: its "
                        'default; with several workers give each '
                        'cores / workers)')
    parser.add_argument('--list', metavar='FILE',
                        help='only the images of FILE (one stem a line)')
    parser.add_argument('--no-progress', action='store_true',
                        help='no progress bar')
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> dict:
    names = read_names(args.list) if args.list else None
    counts = make_saliency_maps(
        args.model, args.image_dir, args.out_dir, size=tuple(args.size),
        mean=tuple(args.mean), std=tuple(args.std), names=names,
        workers=args.workers, threads=args.threads,
        progress=not args.no_progress)
    print(f'saliency maps in {args.out_dir}: {counts["written"]} written, '
          f'{counts["skipped"]} there before (skipped)', flush=True)
    return counts


def main(argv=None) -> None:
    cli_main(lambda: run(parse_args(argv)))


if __name__ == '__main__':
    main()
