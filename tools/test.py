"""Test a checkpoint of a config, with mmseg's arguments.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--tta] [--crf]
                         [--crf-workers N] [--amp | --no-amp]
                         [--show-dir DIR] [--out DIR] [--metrics-out FILE]
                         [--format-only --out DIR]
                         [--cfg-options ...] [--trust-checkpoint]

The checkpoint is loaded with weights_only=True (--trust-checkpoint: full
unpickling, for a trusted file written by older code); a checkpoint that
leaves weights of the model missing is an error. --metrics-out writes the
metrics as one JSON object (--out holds the predictions). The code:
``seenet_mm.apis.evaluate``.
"""
import argparse

from seenet_mm.apis.testing import evaluate
from seenet_mm.cli import (add_amp_args, add_common_args, add_trust_arg,
                           cli_main)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog='tools/test.py',
                                     description='Test a seenet_mm model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='directory to save the predictions')
    parser.add_argument('--metrics-out', metavar='FILE',
                        help='write the metrics to this JSON file')
    parser.add_argument('--show-dir',
                        help='directory where painted predictions are saved')
    parser.add_argument('--format-only', action='store_true',
                        help='images without masks (e.g. VOC test for the '
                        'evaluation server): load no masks, score nothing, '
                        'write the predictions (PNGs of class ids) into '
                        '--out')
    parser.add_argument('--tta', action='store_true',
                        help='test-time augmentation (config tta_pipeline)')
    parser.add_argument('--crf', action='store_true',
                        help='dense-CRF post-processing (pydensecrf2; '
                        'parameters from the config key crf_cfg, default '
                        "DeepLab's)")
    parser.add_argument('--crf-workers', type=int,
                        metavar='N', help='--crf: processes running the '
                        'CRFs (default: the cores available; 1: in this '
                        'process); the test batch grows to 2N images')
    add_amp_args(parser)
    add_trust_arg(parser, 'CHECKPOINT')
    add_common_args(parser)
    return parser.parse_args(argv)




def main(argv=None) -> None:
    """Parse ``argv`` and test; a bad input exits with one ``error:``
    line."""
    def run() -> None:
        a = parse_args(argv)
        evaluate(a.config, a.checkpoint, work_dir=a.work_dir, tta=a.tta,
                 crf=a.crf, crf_workers=a.crf_workers, amp=a.amp,
                 show_dir=a.show_dir, out=a.out, metrics_out=a.metrics_out,
                 cfg_options=a.cfg_options, launcher=a.launcher,
                 trust_checkpoint=a.trust_checkpoint,
                 format_only=a.format_only)
    cli_main(run)


if __name__ == '__main__':
    main()
