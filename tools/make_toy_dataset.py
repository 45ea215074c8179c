"""Write the synthetic VOC-format toy set: ``--out DIR [--seed S]``."""
import argparse
import time

from seenet_mm.toy import DEFAULT_CLASSES, ToyConfig, generate_toy_dataset
from seenet_mm.cli import cli_main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--out', required=True,
                        help='folder that receives VOCdevkit/VOC2012')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-images', type=int, default=500)
    parser.add_argument('--val-fraction', type=float, default=0.2)
    parser.add_argument('--classes', nargs='+', default=list(DEFAULT_CLASSES),
                        help='VOC class names that may appear')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace an existing set with other settings')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = ToyConfig(num_images=args.num_images, seed=args.seed,
                    val_fraction=args.val_fraction, classes=args.classes)
    start = time.time()
    voc = generate_toy_dataset(args.out, cfg, overwrite=args.overwrite)
    print(f'toy set ready in {voc} ({cfg.num_images} images, '
          f'{time.time() - start:.1f} s)')


if __name__ == '__main__':
    cli_main(main)
