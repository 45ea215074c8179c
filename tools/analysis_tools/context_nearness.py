"""Cue or nearness on a set with context masks: per distance band from the
objects, context against plain background among T_A's zones and in M_A /
M_B; seeds from M_A alone, M_B alone and their fusion.

    python tools/analysis_tools/context_nearness.py CONFIG CKPT \
        --data-root VOC2012_DIR --out nearness.json [--size 112]

The code is ``seenet_mm.apis.context_analysis.analyse_context``.
"""
import argparse

from seenet_mm.apis.context_analysis import analyse_context


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', required=True,
                        help='VOC2012-layout folder with SegmentationClass '
                        'and context')
    parser.add_argument('--split',
                        help='image list (default: ImageSets/Segmentation/'
                        'val.txt of the data root)')
    parser.add_argument('--size', type=int,
                        help='input size of the one view (default: the '
                        'config\'s first test size; the training crop '
                        'gives T_A at the grid S_B sees in training)')
    parser.add_argument('--out', required=True, help='JSON file written')
    parser.add_argument('--trust-checkpoint', action='store_true',
                        help='allow a checkpoint that needs full unpickling')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return analyse_context(args.config, args.checkpoint, args.data_root,
                           args.out, split=args.split, size=args.size,
                           trust_checkpoint=args.trust_checkpoint)


if __name__ == '__main__':
    main()
