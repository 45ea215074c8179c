"""Training a config with mmengine's runner: :func:`train`, and the command
line of ``tools/train.py`` over it (mmseg's arguments).

    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp | --no-amp]
                          [--cfg-options k=v ...] [--launcher pytorch]
                          [--trust-checkpoint]

Checkpoints are written in plain types and loaded with weights_only=True;
--trust-checkpoint loads the checkpoint resumed from (or load_from) with
full unpickling, for a trusted file written by older code.
"""
from __future__ import annotations

import argparse
from typing import Any, Dict, Optional, Sequence

from .. import compat
from ..cli import (add_amp_args, add_common_args, add_trust_arg,
                   amp_requested, build_runner, check_data_files, cli_main,
                   load_config, trust_train_checkpoint)
from ..engine.amp import set_amp
from ..locking import work_dir_lock


def train(config: str, work_dir: Optional[str] = None, resume: bool = False,
          amp: Optional[bool] = None,
          cfg_options: Optional[Dict[str, Any]] = None,
          launcher: str = 'none', trust_checkpoint: bool = False) -> str:
    """Train the model of ``config``; return the work dir.

    Args:
        config: the config file.
        work_dir: where logs and checkpoints go (default: the config's, else
            ``./work_dirs/<config name>``).
        resume: continue from the work dir's latest checkpoint.
        amp: autocast (True), float32 (False), or the config key ``amp``
            (None; :func:`seenet_mm.cli.amp_requested`).
        cfg_options: config keys to override (``{'a.b': 1}``).
        launcher: ``'none'`` or a distributed launcher (``'pytorch'``).
        trust_checkpoint: load the checkpoint resumed from (or
            ``load_from``) with full unpickling: only for a trusted file.
    """
    cfg = load_config(config, cfg_options, work_dir, launcher)
    if amp_requested(cfg, amp):
        set_amp(cfg)
    cfg.resume = resume
    check_data_files(cfg, ['train_dataloader'] + (
        ['val_dataloader'] if cfg.get('val_cfg', None) else []))
    with work_dir_lock(cfg.work_dir):  # one training per work dir
        if trust_checkpoint:
            trust_train_checkpoint(cfg, resume)
        runner = build_runner(cfg)
        runner.train()
    compat.finish_distributed()
    return cfg.work_dir


def build_parser() -> argparse.ArgumentParser:
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
    return parser


def main(argv: Optional[Sequence[str]] = None) -> None:
    """``tools/train.py``: parse ``argv`` (default: ``sys.argv[1:]``) and
    :func:`train`; a bad input exits with one ``error:`` line."""
    def run() -> None:
        args = build_parser().parse_args(argv)
        train(args.config, args.work_dir, args.resume, args.amp,
              args.cfg_options, args.launcher, args.trust_checkpoint)
    cli_main(run)
