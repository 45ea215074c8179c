"""Convert CamVid into the own-folder format, labelling views (crops).

CamVid here is the SegNet tutorial's 11-class, 480x360 version; the
image-level labels are those of views, as whole photos hold nearly every
class.

    python tools/dataset_converters/camvid.py ROOT OUT [--grid ROWS COLS]
        [--min-pixels P] [--splits train val test] [--classes ...]
        [--workers N]

ROOT holds <split>.txt, <split>/<name>.jpg|.png, <split>annot/<name>.png
(0..10 the CamVid classes, 11 void) and optionally
saliency/<split>/<name>.png, for the splits train, val, test or any other
whose list exists. Each photo is cut into ROWS x COLS views
(<name>_r<i>c<j>); OUT gets images/, masks/ (0 background, i + 1 class i,
255 void), saliency/ (where ROOT has it) and <split>.json, whose labels
name the classes (car, pedestrian, bicyclist, sign, pole, fence by
default) covering at least --min-pixels of a view. Views without a class
are left out and counted. Everything is checked before anything is
written; finished views are skipped, so a killed run resumes. ROOT is only
read. See seenet_mm/datasets/camvid.py for the rules.
"""
import argparse
import sys

from seenet_mm.datasets.camvid import (CAMVID_CLASSES, DEFAULT_CLASSES,
                                       DEFAULT_GRID, DEFAULT_MIN_PIXELS,
                                       convert_camvid, format_summary)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', metavar='ROOT', help='the CamVid folder')
    parser.add_argument('out', metavar='OUT',
                        help='the own-folder dataset to write')
    parser.add_argument('--grid', type=int, nargs=2, default=DEFAULT_GRID,
                        metavar=('ROWS', 'COLS'),
                        help='views per photo (default: 2 2)')
    parser.add_argument('--min-pixels', type=float,
                        default=DEFAULT_MIN_PIXELS, metavar='P',
                        help='pixels a class needs in a view to label it: '
                        'below 1 a share of the view area, otherwise a '
                        'count (default: %(default)s, 0.5 %%)')
    parser.add_argument('--splits', nargs='+', metavar='SPLIT',
                        help='default: every <split>.txt of ROOT with a '
                        '<split>/ folder')
    parser.add_argument('--classes', nargs='+', metavar='NAME=CAMVID',
                        default=[f'{n}={c}' for n, c in DEFAULT_CLASSES],
                        help='the classes in order, each a CamVid class or '
                        'NAME=CamVidClass (CamVid classes: '
                        f'{", ".join(CAMVID_CLASSES)}; default: '
                        '%(default)s)')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes reading and writing photos')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    try:
        summary = convert_camvid(args.root, args.out, grid=tuple(args.grid),
                                 classes=args.classes,
                                 min_pixels=args.min_pixels,
                                 splits=args.splits, workers=args.workers)
    # bad input (CamvidFormatError is a ValueError), missing files: one
    # line (or one listing), no traceback
    except (ValueError, OSError) as err:
        sys.exit(f'error: {err}')
    print(format_summary(summary), flush=True)


if __name__ == '__main__':
    main()
