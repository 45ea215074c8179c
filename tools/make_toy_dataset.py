"""Write the synthetic toy set: ``--out DIR [--seed S]``.

VOC class names (the default) give VOC's layout (DIR/VOCdevkit/VOC2012);
any other names, or ``--format folder``, the own-folder format in DIR
(images/, masks/, saliency/, train.json, val.json).
"""
import argparse
import time

from seenet_mm.toy import (DEFAULT_CLASSES, VOC_CLASSES, ToyConfig,
                           generate_toy_dataset, generate_toy_folder)
from seenet_mm.cli import cli_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--out', required=True,
                        help='folder that receives VOCdevkit/VOC2012 (VOC '
                        'layout) or the own-folder files')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-images', type=int, default=500)
    parser.add_argument('--val-fraction', type=float, default=0.2)
    parser.add_argument('--classes', nargs='+', default=list(DEFAULT_CLASSES),
                        help='class names that may appear (VOC names: VOC '
                        'layout; any other name: the own-folder format)')
    parser.add_argument('--context', action='store_true',
                        help='class-correlated context next to the objects '
                        '(bands of class-specific texture), weak body cues, '
                        'and context masks in context/; off: the '
                        'default toy set')
    parser.add_argument('--format', choices=['auto', 'voc', 'folder'],
                        default='auto', help='auto: voc when every class is '
                        'a VOC name, else folder')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing set with other settings')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = ToyConfig(num_images=args.num_images, seed=args.seed,
                    val_fraction=args.val_fraction, classes=args.classes,
                    context=args.context)
    fmt = args.format
    if fmt == 'auto':
        fmt = 'voc' if all(c in VOC_CLASSES[1:] for c in args.classes) \
            else 'folder'
    start = time.time()
    make = generate_toy_dataset if fmt == 'voc' else generate_toy_folder
    root = make(args.out, cfg, overwrite=args.overwrite)
    print(f'toy set ready in {root} ({cfg.num_images} images, {fmt} '
          f'format, {time.time() - start:.1f} s)')


if __name__ == '__main__':
    cli_main(main)
