"""Train a model of a config, with mmseg's arguments.

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp | --no-amp]
                          [--cfg-options k=v ...] [--launcher pytorch]
                          [--trust-checkpoint]

Checkpoints are written in plain types and loaded with weights_only=True;
--trust-checkpoint loads the checkpoint resumed from (or load_from) with
full unpickling, for a trusted file written by older code. The code:
``seenet_mm.apis.train``.
"""
import argparse

from seenet_mm.apis.training import train
from seenet_mm.cli import (add_amp_args, add_common_args, add_trust_arg,
                           cli_main)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='tools/train.py',
                                     description='Train a seenet_mm model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume', action='store_true',
        help='resume from the latest checkpoint in the work dir')
    add_amp_args(parser)
    add_trust_arg(parser, 'the checkpoint resumed from (--resume) or the '
                  "config's load_from")
    add_common_args(parser)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    """Parse ``argv`` (default: ``sys.argv[1:]``) and train; a bad input
    exits with one ``error:`` line."""
    def run() -> None:
        args = parse_args(argv)
        train(args.config, work_dir=args.work_dir, resume=args.resume,
              amp=args.amp, cfg_options=args.cfg_options,
              launcher=args.launcher,
              trust_checkpoint=args.trust_checkpoint)
    cli_main(run)


if __name__ == '__main__':
    main()
