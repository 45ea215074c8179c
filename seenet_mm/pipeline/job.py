"""The main job as one typed function, :func:`run_pipeline`: its arguments
to a :class:`~.context.Context`, then the stages or ``--compare``.
``tools/pipeline.py`` parses its command line and calls it."""
from __future__ import annotations

import os.path as osp
from typing import Any, Mapping, Optional, Sequence, Tuple, Union

from .. import locking
from ..cli import option_strings, renamed_hint
from ..datasets.camvid import is_camvid_root
from ..datasets.image_folder import detect_layout
from ..models.classifiers.seenet import MODES
from .context import (AFFINITY_PRESETS, CONVERTED_PRESETS,
                      DEFAULT_THRESHOLDS, FOLDER_AFFINITY_PRESETS,
                      FOLDER_PRESETS, PRESETS, Context, PipelineError)
from .runner import clear_outputs, run_compare, run_main
from .state import PipelineState

#: config overrides: ``{key: value}``, or ``KEY=VALUE`` strings as
#: ``--cfg-options`` reads them
CfgOptions = Union[Mapping[str, object], Sequence[str]]


def run_pipeline(*, data_root: Optional[str] = None,
                 work_dir: str = 'work_dirs/pipeline',
                 from_stage: Optional[str] = None,
                 preset: Optional[str] = None,
                 saliency_dir: Optional[str] = None,
                 proxy_labels: str = 'auto', refine: str = 'auto',
                 saliency_model: Optional[str] = None,
                 upper_bound: bool = False, label_free: bool = False,
                 seed: Optional[int] = None, toy_seed: int = 0,
                 compare: bool = False, modes: Sequence[str] = MODES,
                 seeds: Sequence[int] = (0, ),
                 val_interval: Optional[int] = None,
                 thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
                 amp: Optional[bool] = None,
                 attention_config: Optional[str] = None,
                 segmentation_config: Optional[str] = None,
                 affinity_config: Optional[str] = None,
                 attention_cfg_options: CfgOptions = (),
                 segmentation_cfg_options: CfgOptions = (),
                 affinity_cfg_options: CfgOptions = ()) -> dict:
    """Run the main job (or ``--compare``) and return its report: the
    content of ``report.json`` (``compare.json`` with ``compare``).

    Every stage not finished in ``work_dir`` runs (:data:`~.stages.STAGES`);
    a killed run resumes. Raises :class:`~.context.PipelineError` (its
    message is one ``error: ...`` line) when the job cannot start or a
    stage fails.

    Args:
        data_root: a VOC root, an own folder (``train.json``,
            ``images/``) or, with ``preset='camvid'``, a folder in CamVid's
            layout; None: the toy set, generated into the work dir.
        work_dir: the job's folder (state, logs, outputs, reports).
        from_stage: redo this stage and the stages after it.
        preset: the configs: ``toy``, ``toy-scratch``, ``toy-context``,
            ``voc``, ``camvid`` (None: ``toy`` without ``data_root``,
            ``voc`` with it).
        saliency_dir: the saliency maps (default: the dataset's
            ``saliency`` folder).
        proxy_labels: ``saliency`` (Algorithm 1), ``threshold`` (no
            saliency: IRN's confident seeds) or ``auto``.
        refine: ``irn`` (affinity network, random walk), ``none`` or
            ``auto`` (``irn`` for labels made without saliency).
        saliency_model: an ONNX salient-object model that makes the maps
            in the data stage, instead of reading ``saliency_dir``.
        upper_bound: also train the segmentation on the true masks.
        label_free: also score the maps of the predicted classes.
        seed: the training seed of every training (None: the configs').
        toy_seed: the seed of the generated toy set.
        compare: the attention chain per mode and seed instead of the main
            job; ``modes`` and ``seeds`` name them.
        val_interval: validate the attention training every this many
            iterations (None: no validation passes).
        thresholds: the background thresholds of the seed sweep.
        amp: bfloat16 / float16 (True), float32 (False) or the configs'
            key ``amp`` (None).
        attention_config / segmentation_config / affinity_config: configs
            instead of the preset's.
        attention_cfg_options / segmentation_cfg_options /
            affinity_cfg_options: overrides of each config in every stage
            that reads it, after the job's own.
    """
    return run_job(dict(locals()))


def check_configs(ctx: Context, compare: bool = False) -> None:
    """The user's overrides of each config: every key must exist and
    must not be a variable the config already used (one error line, before
    any stage); then every pretrained file the configs load must exist or
    be made by the job."""
    from ..cli import load_config, parse_cfg_options
    from ..models.backbones.pretrained import missing_weights_error
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
        raise PipelineError(f'error: {why}; or use --preset toy (the toy '
                            'stand-in for ImageNet weights, which the job '
                            'makes)')


def make_context(args: Mapping[str, Any]) -> Tuple[Context, str]:
    """The main job's context and the preset's name from the keyword
    arguments of :func:`run_pipeline`; raises :class:`PipelineError` when a
    config does not exist."""
    work = osp.abspath(args['work_dir'])
    layout, classes, source_root = 'voc', None, None
    if args['preset'] in CONVERTED_PRESETS and args['data_root'] \
            and is_camvid_root(osp.abspath(args['data_root'])):
        # converted by the data stage; the classes are the converter's
        from ..datasets.camvid import DEFAULT_CLASSES
        source_root = osp.abspath(args['data_root'])
        layout, data_dir = 'folder', osp.join(work, args['preset'])
        classes = tuple(name for name, _ in DEFAULT_CLASSES)
    elif args['preset'] in CONVERTED_PRESETS and not args['data_root']:
        raise PipelineError(f'error: --preset {args["preset"]} needs '
                            '--data-root '
                            'DIR: a folder in CamVid\'s layout (train.txt, '
                            'train/, trainannot/, saliency/; docs/data.md)')
    elif args['data_root']:
        try:
            layout, data_dir = detect_layout(osp.abspath(args['data_root']))
        except (FileNotFoundError, ValueError) as err:
            raise PipelineError(f'error: --data-root: {err}') from None
    else:
        data_dir = osp.join(work, 'toy', 'VOCdevkit', 'VOC2012')
    if layout == 'folder' and classes is None:
        from ..datasets.image_folder import split_classes
        try:
            classes = tuple(split_classes(osp.join(data_dir, 'train.json')))
        except (FileNotFoundError, ValueError) as err:
            raise PipelineError(f'error: {err}') from None
    preset = args['preset'] or ('voc' if args['data_root'] else 'toy')
    presets = FOLDER_PRESETS if layout == 'folder' else PRESETS
    if preset not in presets:
        raise PipelineError(f'error: --preset {preset} has no configs for a '
                            f'dataset in the own-folder format (choose one '
                            f'of {", ".join(sorted(presets))})')
    attention_cfg = osp.abspath(args['attention_config'] or presets[preset][0])
    segmentation_cfg = osp.abspath(args['segmentation_config'] or
                                   presets[preset][1])
    affinity_presets = FOLDER_AFFINITY_PRESETS if layout == 'folder' \
        else AFFINITY_PRESETS
    affinity_cfg = args['affinity_config'] or affinity_presets[preset]
    affinity_cfg = osp.abspath(affinity_cfg) if affinity_cfg else None
    for cfg in (attention_cfg, segmentation_cfg, affinity_cfg):
        if cfg is not None and not osp.isfile(cfg):
            raise PipelineError(f'error: config {cfg} does not exist'
                                f'{renamed_hint(cfg)}')
    ctx = Context(
        work_dir=work, out_dir=work, data_dir=data_dir,
        data_root=args['data_root'],
        saliency_dir=args['saliency_dir'] or (
            osp.join(work, 'saliency_model') if args['saliency_model']
            else osp.join(data_dir, 'saliency')),
        attention_config=attention_cfg,
        segmentation_config=segmentation_cfg,
        thresholds=None if args['thresholds'] is None else tuple(
            args['thresholds']),
        toy_seed=args['toy_seed'], train_seed=args['seed'], layout=layout,
        classes=classes,
        proxy_method=args['proxy_labels'],
        toy_context=preset == 'toy-context' and not args['data_root'],
        amp=args['amp'], refine=args['refine'], affinity_config=affinity_cfg,
        val_interval=args['val_interval'], source_root=source_root,
        upper_bound=args['upper_bound'],
        saliency_model=osp.abspath(args['saliency_model'])
        if args['saliency_model'] else None,
        attention_cfg_options=option_strings(args['attention_cfg_options']),
        segmentation_cfg_options=option_strings(
            args['segmentation_cfg_options']),
        affinity_cfg_options=option_strings(args['affinity_cfg_options']),
        label_free=args['label_free'])
    if args['saliency_model'] and args['saliency_dir']:
        raise PipelineError('error: --saliency-model makes the saliency '
                            'maps; --saliency-dir reads them: give one')
    if args['saliency_model'] and not osp.isfile(args['saliency_model']):
        raise PipelineError('error: --saliency-model: '
                            f'{args["saliency_model"]} '
                            'does not exist')
    if args['val_interval'] is not None and args['val_interval'] < 1:
        raise PipelineError(f'error: --val-interval must be at least 1, got '
                            f'{args["val_interval"]}')
    if ctx.resolved_refine() == 'irn' and affinity_cfg is None:
        raise PipelineError(
            f'error: --refine irn: the {preset} preset has no affinity '
            f'config yet; pass --affinity-config, or --refine none')
    if classes:
        print(f'own-folder dataset {data_dir}: {len(classes)} classes from '
              f'train.json ({", ".join(classes[:8])}'
              f'{", ..." if len(classes) > 8 else ""})', flush=True)
    return ctx, preset


def run_job(args: Mapping[str, Any]) -> dict:
    """:func:`run_pipeline` with its keyword arguments as a dict."""
    work = osp.abspath(args['work_dir'])
    # one main job per work dir; --compare runs of separate modes share it
    # (each holds its mode and seed dirs)
    try:
        taken = locking.acquire(work, shared=bool(args['compare']))
    except locking.WorkDirBusyError as err:
        raise PipelineError(f'error: {err}') from None
    try:
        state = PipelineState.load(work)
        ctx, preset = make_context(args)
        if args['from_stage'] and args['compare']:
            # --from redoes the main job's stages, in the work dir itself
            raise PipelineError(
                'error: --from redoes stages of the main job, not --compare '
                'rows (and would remove the main job\'s results); to redo '
                'rows, run --compare in another --work-dir')
        start = args['from_stage']
        if start:
            # redone, not resumed: the tools resume from what they find
            for path in clear_outputs(state.redo_from(start), ctx):
                print(f'--from {start}: removed {path}', flush=True)
        # a work dir holds the results of one set of inputs
        state.use_settings(ctx.settings(), allow_change=bool(start))
        check_configs(ctx, compare=bool(args['compare']))  # before any stage
        for stage, why, redo in state.invalidate():
            # finished stages must still have their outputs; the stages
            # that read them are redone from scratch
            clear_outputs([s for s in redo if s != stage], ctx)
            print(f'[{stage}] {why}: rerunning {", ".join(redo)}',
                  flush=True)
        if args['compare']:
            return run_compare(ctx, state, args['modes'], args['seeds'])
        return run_main(ctx, state, preset)
    except locking.WorkDirBusyError as err:  # a mode and seed dir
        raise PipelineError(f'error: {err}') from None
    finally:
        if taken:
            locking.release(work)


