"""Train a model of a config with mmengine's runner (mmseg's arguments).

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp]
                          [--cfg-options k=v ...] [--launcher pytorch]
                          [--trust-checkpoint]

Checkpoints are written in plain types and loaded with weights_only=True;
--trust-checkpoint loads the checkpoint resumed from (or load_from) with
full unpickling, for a trusted file written by older code.
"""
import argparse

import seenet_mm  # noqa: F401  (compat layer + registries, before mmseg)
from seenet_mm import compat
from seenet_mm.locking import work_dir_lock
from seenet_mm.cli import (add_amp_args, add_common_args, add_trust_arg,
                           build_runner, amp_requested, cli_main, load_config, set_amp,
                           trust_train_checkpoint)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a seenet_mm model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume', action='store_true',
        help='resume from the latest checkpoint in the work dir')
    add_amp_args(parser)
    add_trust_arg(parser, 'the checkpoint resumed from (--resume) or the '
                  "config's load_from")
    add_common_args(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    if amp_requested(cfg, args.amp):
        set_amp(cfg)
    cfg.resume = args.resume
    with work_dir_lock(cfg.work_dir):  # one training per work dir
        if args.trust_checkpoint:
            trust_train_checkpoint(cfg, args.resume)
        runner = build_runner(cfg)
        runner.train()
    compat.finish_distributed()


if __name__ == '__main__':
    cli_main(main)
