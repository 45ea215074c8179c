"""The main job: every stage from image-level labels to a segmentation model.

    python tools/pipeline.py [--data-root DIR] [--work-dir DIR] [--from STAGE]

With no arguments it writes the synthetic toy set into the work dir and runs
every stage on it. The stages are the table ``seenet_mm.pipeline.STAGES``
(``--help`` lists them; docs/pipeline.md). A finished stage is skipped on
rerun; a killed training resumes from its last checkpoint. With --compare
it runs the attention chain for each mode of the paper's Table 1 and each
--seeds value, side by side in compare.md / compare.json. The code:
``seenet_mm.pipeline.run_pipeline``, which a notebook calls with the same
options as keyword arguments.
"""
import argparse
import sys
from typing import Optional, Sequence

from seenet_mm.cli import add_amp_args, signature_defaults
from seenet_mm.models.classifiers.seenet import MODES
from seenet_mm.pipeline import STAGES, PipelineError, run_pipeline
from seenet_mm.pipeline.context import (FOLDER_PRESETS, PRESETS,
                                        PROXY_CHOICES, REFINE_CHOICES)
from seenet_mm.pipeline.stages import STAGE_NAMES

DESCRIPTION = ('The main job: every stage from image-level labels to a '
               'segmentation model, each stage\'s tools called in this '
               'process.')


def stages_help() -> str:
    """The stages, one line each, from the table."""
    width = max(len(s.name) for s in STAGES)
    return 'stages (--from STAGE reruns from one on):\n' + '\n'.join(
        f'  {s.name:<{width}}  {s.does.replace("`", "")}' for s in STAGES)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """The command line as :func:`run_pipeline`'s keyword arguments (its
    signature holds the defaults)."""
    parser = argparse.ArgumentParser(
        prog='tools/pipeline.py', description=DESCRIPTION,
        epilog=stages_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-root',
                        help='a folder holding VOCdevkit/VOC2012 (or a '
                        'VOC2012 folder), or your own folder (train.json, '
                        'images/; docs/data.md). Default: '
                        'generate the toy set into the work dir')
    parser.add_argument('--work-dir')
    parser.add_argument('--from', dest='from_stage', choices=STAGE_NAMES,
                        help='rerun from this stage on')
    parser.add_argument('--saliency-dir', help='saliency maps (default: '
                        'VOCdevkit/VOC2012/saliency, or DIR/saliency)')
    parser.add_argument('--proxy-labels', choices=PROXY_CHOICES,
                        help='saliency: SeeNet Algorithm 1; '
                        'threshold: attention alone (IRN\'s confident '
                        'seeds, thresholds from each image\'s maps, dense '
                        'CRF); auto (default): saliency when the saliency '
                        'folder exists')
    parser.add_argument('--refine', choices=REFINE_CHOICES,
                        help='irn: train an affinity network on the proxy '
                        'labels and refine them by its random walk '
                        '(tools/refine_labels.py), then train the '
                        'segmentation on the refined labels; none; auto '
                        '(default): irn for labels made without saliency')
    parser.add_argument('--saliency-model', metavar='MODEL.onnx',
                        help='make the saliency maps of the dataset\'s '
                        'images (the views of --preset camvid) with this '
                        'U2-Net / IS-Net style ONNX model '
                        '(tools/make_saliency.py, IS-Net\'s input) in the '
                        'data stage, into WORK_DIR/saliency_model, instead '
                        'of reading DIR/saliency')
    parser.add_argument('--upper-bound', action='store_true',
                        help='also train the segmentation config on the '
                        'true train masks (the ceiling of full '
                        'supervision) and report its val mIoU and the '
                        'proxy-label model\'s ratio to it')
    parser.add_argument('--label-free', action='store_true',
                        help='also make the attention maps of the classes '
                        'the classifier predicts (no image labels; its '
                        'threshold chosen on the tuning split) and report '
                        'their seeds beside those of the true labels')
    parser.add_argument('--seed', type=int,
                        help='training seed of every training (attention, '
                        'affinity, segmentation; default: the configs\' '
                        'own, 0 for the toy configs)')
    parser.add_argument('--toy-seed', type=int,
                        help='seed of the generated toy set')
    parser.add_argument('--compare', action='store_true',
                        help='attention chain for cam, acol, seenet-noflip '
                        'and seenet, side by side')
    parser.add_argument('--modes', nargs='+', choices=MODES,
                        help='modes for --compare')
    parser.add_argument('--seeds', type=int, nargs='+',
                        help='training seeds for --compare (differences '
                        'between modes on small data can be smaller than '
                        'the spread between seeds)')
    parser.add_argument('--val-interval', type=int,
                        metavar='N',
                        help='validate the attention training every N '
                        'iterations (default: no validation passes); with '
                        '--compare, compare.md follows the seeds and T_A\'s '
                        'zones (and the context in each) through training. '
                        'The passes draw from torch\'s random state: '
                        'another sample of the same training')
    parser.add_argument('--thresholds', type=float, nargs='+',
                        help='background thresholds of the seed sweep '
                        '(default: 0.05 ... 0.95, wider than '
                        'tools/eval_seeds.py\'s usual 0.05 ... 0.60 so that '
                        'the best lies inside: erasing widens the maps)')
    parser.add_argument('--preset', choices=sorted(set(PRESETS)
                                                   | set(FOLDER_PRESETS)),
                        help='configs to use: toy (small models from the '
                        'toy stand-in for ImageNet weights, made by the '
                        'standin stage), toy-scratch (the same from '
                        'scratch), toy-context (the from-scratch ones on a '
                        'toy set with class-correlated context), voc (the '
                        'paper\'s VGG16) or camvid (real photographs: '
                        '--data-root in CamVid\'s layout, converted into '
                        'views with image-level labels; EfficientNet-Lite0 '
                        'ImageNet weights); default: toy without --data-root, '
                        'voc with it. With an own folder, the *_folder '
                        'configs (from scratch for the toy presets)')
    add_amp_args(parser)  # training, tests and attention inference
    parser.add_argument('--attention-config',
                        help='attention config (default: the preset\'s)')
    parser.add_argument('--segmentation-config',
                        help='segmentation config (default: the preset\'s)')
    parser.add_argument('--affinity-config',
                        help='affinity network config of --refine irn '
                        '(default: the preset\'s)')
    for name in ('attention', 'segmentation', 'affinity'):
        parser.add_argument(
            f'--{name}-cfg-options', nargs='+',
            metavar='KEY=VALUE',
            help=f'override settings of the {name} config in every stage '
            f'that reads it (as --cfg-options of tools/train.py, e.g. '
            f'train_cfg.max_iters=2000), after the job\'s own')
    parser.set_defaults(**signature_defaults(run_pipeline))
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Parse ``argv`` (default: ``sys.argv[1:]``) and run; a
    :class:`PipelineError` exits with its message and status 1."""
    try:
        run_pipeline(**vars(parse_args(argv)))
    except PipelineError as e:
        sys.exit(str(e))


if __name__ == '__main__':
    main()
