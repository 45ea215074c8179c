"""The command line of ``tools/pipeline.py``: arguments to a
:class:`Context`, then the main job or ``--compare``."""
from __future__ import annotations

import argparse
import os.path as osp
import sys
from typing import Optional, Sequence, Tuple

from .. import locking
from ..cli import add_amp_args, renamed_hint
from ..models.classifiers.seenet import MODES
from .context import (AFFINITY_PRESETS, CONVERTED_PRESETS,
                      DEFAULT_THRESHOLDS, FOLDER_AFFINITY_PRESETS,
                      FOLDER_PRESETS, PRESETS, PROXY_CHOICES, REFINE_CHOICES,
                      Context, PipelineError, detect_layout, is_camvid_root)
from .runner import clear_outputs, run_compare, run_main
from .stages import STAGE_NAMES, STAGES
from .state import PipelineState

DESCRIPTION = ('The main job: every stage from image-level labels to a '
               'segmentation model, each stage\'s tools called in this '
               'process.')


def stages_help() -> str:
    """The stages, one line each, from the table."""
    width = max(len(s.name) for s in STAGES)
    return 'stages (--from STAGE reruns from one on):\n' + '\n'.join(
        f'  {s.name:<{width}}  {s.does.replace("`", "")}' for s in STAGES)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='tools/pipeline.py', description=DESCRIPTION,
        epilog=stages_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-root',
                        help='a folder holding VOCdevkit/VOC2012 (or a '
                        'VOC2012 folder), or your own folder (train.json, '
                        'images/; docs/data.md). Default: '
                        'generate the toy set into the work dir')
    parser.add_argument('--work-dir', default='work_dirs/pipeline')
    parser.add_argument('--from', dest='start', choices=STAGE_NAMES,
                        help='rerun from this stage on')
    parser.add_argument('--saliency-dir', help='saliency maps (default: '
                        'VOCdevkit/VOC2012/saliency, or DIR/saliency)')
    parser.add_argument('--proxy-labels', choices=PROXY_CHOICES,
                        default='auto', help='saliency: SeeNet Algorithm 1; '
                        'threshold: attention alone (IRN\'s confident '
                        'seeds, thresholds from each image\'s maps, dense '
                        'CRF); auto (default): saliency when the saliency '
                        'folder exists')
    parser.add_argument('--refine', choices=REFINE_CHOICES, default='auto',
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
    parser.add_argument('--seed', type=int, default=None,
                        help='training seed of every training (attention, '
                        'affinity, segmentation; default: the configs\' '
                        'own, 0 for the toy configs)')
    parser.add_argument('--toy-seed', type=int, default=0,
                        help='seed of the generated toy set')
    parser.add_argument('--compare', action='store_true',
                        help='attention chain for cam, acol, seenet-noflip '
                        'and seenet, side by side')
    parser.add_argument('--modes', nargs='+', choices=MODES,
                        default=list(MODES), help='modes for --compare')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0],
                        help='training seeds for --compare (differences '
                        'between modes on small data can be smaller than '
                        'the spread between seeds)')
    parser.add_argument('--val-interval', type=int, default=None,
                        metavar='N',
                        help='validate the attention training every N '
                        'iterations (default: no validation passes); with '
                        '--compare, compare.md follows the seeds and T_A\'s '
                        'zones (and the context in each) through training. '
                        'The passes draw from torch\'s random state: '
                        'another sample of the same training')
    parser.add_argument('--thresholds', type=float, nargs='+',
                        default=list(DEFAULT_THRESHOLDS),
                        help='background thresholds of the seed sweep '
                        '(default: 0.05 ... 0.95, wider than '
                        'tools/eval_seeds.py\'s usual 0.05 ... 0.60 so that '
                        'the best lies inside: erasing widens the maps)')
    parser.add_argument('--preset', choices=sorted(set(PRESETS)
                                                   | set(FOLDER_PRESETS)),
                        default=None,
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
            f'--{name}-cfg-options', nargs='+', default=[],
            metavar='KEY=VALUE',
            help=f'override settings of the {name} config in every stage '
            f'that reads it (as --cfg-options of tools/train.py, e.g. '
            f'train_cfg.max_iters=2000), after the job\'s own')
    return parser


def check_configs(ctx: Context, compare: bool = False) -> None:
    """The user's overrides of each config: every key must exist and
    must not be a variable the config already used (one error line, before
    any stage); then every pretrained file the configs load must exist or
    be made by the job."""
    from ..cli import load_config, parse_cfg_options
    from .context import missing_weights_error
    used = [(ctx.attention_config, ctx.attention_cfg_options,
             '--attention-cfg-options'),
            (ctx.segmentation_config, ctx.segmentation_cfg_options,
             '--segmentation-cfg-options')]
    if ctx.resolved_refine() == 'irn' and ctx.affinity_config:
        used.append((ctx.affinity_config, ctx.affinity_cfg_options,
                     '--affinity-cfg-options'))
    for config, options, flag in used:
        try:
            load_config(config, parse_cfg_options(options, flag), None,
                        'none')
        except ValueError as err:
            raise PipelineError(f'error: {err}') from None
        except KeyError as err:
            raise PipelineError(f'error: {flag}: {err.args[0]}') from None
    configs = [(ctx.attention_config, ctx.attention_options())]
    if not compare:  # --compare trains no segmentation
        configs.append((ctx.segmentation_config,
                        ctx.segmentation_options()))
    if ctx.resolved_refine() == 'irn' and ctx.affinity_config:
        configs.append((ctx.affinity_config, ctx.affinity_options()))
    made = [ctx.backbone_weights] if ctx.backbone_weights else []
    why = missing_weights_error(configs, made)
    if why:
        raise PipelineError(why)


def make_context(args: argparse.Namespace) -> Tuple[Context, str]:
    """The main job's context and the preset's name; raises
    :class:`PipelineError` when a config does not exist."""
    work = osp.abspath(args.work_dir)
    layout, classes, source_root = 'voc', None, None
    if args.preset in CONVERTED_PRESETS and args.data_root \
            and is_camvid_root(osp.abspath(args.data_root)):
        # converted by the data stage; the classes are the converter's
        from ..datasets.camvid import DEFAULT_CLASSES
        source_root = osp.abspath(args.data_root)
        layout, data_dir = 'folder', osp.join(work, args.preset)
        classes = tuple(name for name, _ in DEFAULT_CLASSES)
    elif args.preset in CONVERTED_PRESETS and not args.data_root:
        raise PipelineError(f'error: --preset {args.preset} needs --data-root '
                            'DIR: a folder in CamVid\'s layout (train.txt, '
                            'train/, trainannot/, saliency/; docs/data.md)')
    elif args.data_root:
        layout, data_dir = detect_layout(osp.abspath(args.data_root))
    else:
        data_dir = osp.join(work, 'toy', 'VOCdevkit', 'VOC2012')
    if layout == 'folder' and classes is None:
        from ..datasets.image_folder import split_classes
        try:
            classes = tuple(split_classes(osp.join(data_dir, 'train.json')))
        except (FileNotFoundError, ValueError) as err:
            raise PipelineError(f'error: {err}') from None
    preset = args.preset or ('voc' if args.data_root else 'toy')
    presets = FOLDER_PRESETS if layout == 'folder' else PRESETS
    if preset not in presets:
        raise PipelineError(f'error: --preset {preset} has no configs for a '
                            f'dataset in the own-folder format (choose one '
                            f'of {", ".join(sorted(presets))})')
    attention_cfg = osp.abspath(args.attention_config or presets[preset][0])
    segmentation_cfg = osp.abspath(args.segmentation_config or
                                   presets[preset][1])
    affinity_presets = FOLDER_AFFINITY_PRESETS if layout == 'folder' \
        else AFFINITY_PRESETS
    affinity_cfg = args.affinity_config or affinity_presets[preset]
    affinity_cfg = osp.abspath(affinity_cfg) if affinity_cfg else None
    for cfg in (attention_cfg, segmentation_cfg, affinity_cfg):
        if cfg is not None and not osp.isfile(cfg):
            raise PipelineError(f'error: config {cfg} does not exist'
                                f'{renamed_hint(cfg)}')
    ctx = Context(
        work_dir=work, out_dir=work, data_dir=data_dir,
        data_root=args.data_root,
        saliency_dir=args.saliency_dir or (
            osp.join(work, 'saliency_model') if args.saliency_model
            else osp.join(data_dir, 'saliency')),
        attention_config=attention_cfg,
        segmentation_config=segmentation_cfg,
        thresholds=None if args.thresholds is None else tuple(
            args.thresholds),
        toy_seed=args.toy_seed, train_seed=args.seed, layout=layout,
        classes=classes,
        proxy_method=args.proxy_labels,
        toy_context=preset == 'toy-context' and not args.data_root,
        amp=args.amp, refine=args.refine, affinity_config=affinity_cfg,
        val_interval=args.val_interval, source_root=source_root,
        upper_bound=args.upper_bound,
        saliency_model=osp.abspath(args.saliency_model)
        if args.saliency_model else None,
        attention_cfg_options=tuple(args.attention_cfg_options),
        segmentation_cfg_options=tuple(args.segmentation_cfg_options),
        affinity_cfg_options=tuple(args.affinity_cfg_options),
        label_free=args.label_free)
    if args.saliency_model and args.saliency_dir:
        raise PipelineError('error: --saliency-model makes the saliency '
                            'maps; --saliency-dir reads them: give one')
    if args.saliency_model and not osp.isfile(args.saliency_model):
        raise PipelineError(f'error: --saliency-model: {args.saliency_model} '
                            'does not exist')
    if args.val_interval is not None and args.val_interval < 1:
        raise PipelineError(f'error: --val-interval must be at least 1, got '
                            f'{args.val_interval}')
    if ctx.resolved_refine() == 'irn' and affinity_cfg is None:
        raise PipelineError(
            f'error: --refine irn: the {preset} preset has no affinity '
            f'config yet; pass --affinity-config, or --refine none')
    if classes:
        print(f'own-folder dataset {data_dir}: {len(classes)} classes from '
              f'train.json ({", ".join(classes[:8])}'
              f'{", ..." if len(classes) > 8 else ""})', flush=True)
    return ctx, preset


def run(args: argparse.Namespace) -> dict:
    """The job ``args`` asks for; returns its report (``report.json`` or
    ``compare.json``'s content). Raises :class:`PipelineError`."""
    work = osp.abspath(args.work_dir)
    # one main job per work dir; --compare runs of separate modes share it
    # (each holds its mode and seed dirs)
    try:
        taken = locking.acquire(work, shared=bool(args.compare))
    except locking.WorkDirBusyError as err:
        raise PipelineError(f'error: {err}') from None
    try:
        state = PipelineState.load(work)
        ctx, preset = make_context(args)
        if args.start and args.compare:
            # --from redoes the main job's stages, in the work dir itself
            raise PipelineError(
                'error: --from redoes stages of the main job, not --compare '
                'rows (and would remove the main job\'s results); to redo '
                'rows, run --compare in another --work-dir')
        if args.start:
            # redone, not resumed: the tools resume from what they find
            for path in clear_outputs(state.redo_from(args.start), ctx):
                print(f'--from {args.start}: removed {path}', flush=True)
        # a work dir holds the results of one set of inputs
        state.use_settings(ctx.settings(), allow_change=bool(args.start))
        check_configs(ctx, compare=bool(args.compare))  # before any stage
        for stage, why, redo in state.invalidate():
            # finished stages must still have their outputs; the stages
            # that read them are redone from scratch
            clear_outputs([s for s in redo if s != stage], ctx)
            print(f'[{stage}] {why}: rerunning {", ".join(redo)}',
                  flush=True)
        if args.compare:
            return run_compare(ctx, state, args.modes, args.seeds)
        return run_main(ctx, state, preset)
    except locking.WorkDirBusyError as err:  # a mode and seed dir
        raise PipelineError(f'error: {err}') from None
    finally:
        if taken:
            locking.release(work)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Parse ``argv`` (default: ``sys.argv[1:]``) and run; a
    :class:`PipelineError` exits with its message and status 1."""
    args = build_parser().parse_args(argv)
    try:
        run(args)
    except PipelineError as e:
        sys.exit(str(e))
