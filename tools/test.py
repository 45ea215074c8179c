"""Test (and evaluate) a checkpoint with mmengine's runner (mmseg's args).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta] [--crf]
                         [--crf-workers N]
                         [--amp]
                         [--show-dir DIR] [--out DIR] [--cfg-options ...]
                         [--trust-checkpoint]

The checkpoint is loaded with weights_only=True (--trust-checkpoint: full
unpickling, for a trusted file written by older code); a checkpoint that
leaves weights of the model missing is an error.
"""
import argparse

import seenet_mm  # noqa: F401  (compat layer + registries, before mmseg)
from seenet_mm import compat
from seenet_mm.cli import (add_amp_args, add_common_args, add_trust_arg,
                           amp_requested,
                           build_runner, cli_main, enable_visualization,
                           load_config, require_all_weights, set_amp,
                           use_crf, use_tta)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a seenet_mm model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='directory to save the predictions')
    parser.add_argument('--show-dir',
                        help='directory where painted predictions are saved')
    parser.add_argument('--tta', action='store_true',
                        help='test-time augmentation (config tta_pipeline)')
    parser.add_argument('--crf', action='store_true',
                        help='dense-CRF post-processing (pydensecrf2; '
                        'parameters from the config key crf_cfg, default '
                        "DeepLab's)")
    parser.add_argument('--crf-workers', type=int, default=None,
                        metavar='N', help='--crf: processes running the '
                        'CRFs (default: the cores available; 1: in this '
                        'process); the test batch grows to 2N images')
    add_amp_args(parser)
    add_trust_arg(parser, 'CHECKPOINT')
    add_common_args(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options, args.work_dir,
                      args.launcher)
    cfg.load_from = args.checkpoint
    if args.trust_checkpoint:
        compat.trust_checkpoint(args.checkpoint)
    if args.show_dir:
        enable_visualization(cfg, args.show_dir)
    if args.tta:
        use_tta(cfg)
    if args.crf_workers is not None and not args.crf:
        raise ValueError('--crf-workers needs --crf')
    if args.crf:
        use_crf(cfg, args.crf_workers)
    if amp_requested(cfg, args.amp):
        set_amp(cfg)
    if args.out is not None:
        cfg.test_evaluator['output_dir'] = args.out
        cfg.test_evaluator['keep_results'] = True
    runner = build_runner(cfg)
    require_all_weights(runner, args.checkpoint)
    runner.test()
    compat.finish_distributed()


if __name__ == '__main__':
    cli_main(main)
