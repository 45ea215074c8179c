"""Convert COCO 2014 instances into the own-folder dataset format.

    python tools/convert_coco.py --ann instances_train2014.json
        --images train2014 --out DIR [--split train|val]
        [--link symlink|hardlink|none] [--workers N]

Writes DIR/images/<file_name> (links to the COCO images, never copies),
DIR/<split>.json (the 80 COCO classes in category-id order, image-level
labels from every instance, crowd ones included) and DIR/masks/<stem>.png
(0 background, i + 1 class i, 255 crowd; evaluation only). The split is
guessed from the annotation file name; a second run with the other split
adds its JSON to the same DIR. Images without annotations are left out and
counted. Masks already written are skipped, so a killed run resumes. See
seenet_mm/datasets/coco.py for the rules.
"""
import argparse
import os
import sys

from seenet_mm.datasets.coco import (LINK_MODES, SPLITS, convert_coco,
                                     format_summary)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ann', required=True,
                        help='instances_{train,val}2014.json')
    parser.add_argument('--images', required=True,
                        help='the folder of its images ({train,val}2014)')
    parser.add_argument('--out', required=True, help='the dataset folder')
    parser.add_argument('--split', choices=SPLITS,
                        help='default: guessed from the --ann file name')
    parser.add_argument('--link', choices=LINK_MODES, default='symlink',
                        help='symlink (relative; default), hardlink (same '
                        'file system) or none (nothing linked: you put the '
                        'images into DIR/images yourself)')
    parser.add_argument('--workers', type=int,
                        default=min(8, os.cpu_count() or 1),
                        help='processes drawing masks')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        summary = convert_coco(args.ann, args.images, args.out,
                               split=args.split, link=args.link,
                               workers=args.workers)
    # bad input (CocoFormatError is a ValueError), missing or clashing
    # files, no pycocotools: one line, no traceback
    except (ValueError, OSError, ImportError) as err:
        sys.exit(f'error: {err}')
    print(format_summary(summary), flush=True)


if __name__ == '__main__':
    main()
