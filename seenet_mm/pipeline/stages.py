"""The main job as a table of stages, each run through its own tool.

A :class:`Stage` names the stages whose outputs it reads, builds the command
lines of its tools, and records what it wrote (``checkpoint``, ``paths``
that must exist, ``files``: ``[folder, suffix, count]``) and the metrics it
measured. The main run and ``--compare`` loop over :data:`STAGES`.
"""
from __future__ import annotations

import glob
import json
import os.path as osp
import sys
from dataclasses import dataclass
from typing import (Callable, Dict, List, Mapping, Optional, Sequence,
                    Tuple)

from .context import Context

Done = Mapping[str, dict]  # the recorded info of the finished stages
Command = List[str]


@dataclass(frozen=True)
class Stage:
    """One step of the job.

    Args:
        name: the stage's name (state key, ``--from`` choice).
        reads: the stages whose outputs it reads.
        commands: ``(ctx, done) -> [argv, ...]``, run in order from the
            repository root; ``done`` holds the finished stages' info.
        record: ``(ctx, done) -> info`` after the commands: what the stage
            wrote (``checkpoint``, ``paths``, ``files``).
        metrics: ``ctx -> {name: value}`` measured by the stage, stored as
            ``info['metrics']`` and merged into the report.
        check: ``ctx -> reason`` the stage cannot run, or None.
        skip: ``ctx -> reason`` the stage has nothing to do on this data
            (e.g. no masks to score against), or None; a skipped stage is
            recorded as finished with ``info['skipped']`` and no metrics.
    """
    name: str
    reads: Tuple[str, ...]
    commands: Callable[[Context, Done], List[Command]]
    record: Callable[[Context, Done], dict] = lambda ctx, done: {}
    metrics: Optional[Callable[[Context], Dict[str, object]]] = None
    check: Optional[Callable[[Context], Optional[str]]] = None
    skip: Optional[Callable[[Context], Optional[str]]] = None


# ----------------------------------------------------------------------
# what the stages leave behind
# ----------------------------------------------------------------------
def count_files(folder: str, suffix: str) -> List[object]:
    """``[folder, suffix, number of *suffix files in folder]``."""
    return [folder, suffix,
            len(glob.glob(osp.join(glob.escape(folder), '*' + suffix)))]


def missing_outputs(info: dict) -> Optional[str]:
    """Why a finished stage's recorded outputs are no longer complete, or
    None. ``info['paths']``: files or folders that must exist;
    ``info['files']``: ``[folder, suffix, count]``."""
    for path in info.get('paths', []):
        if not osp.exists(path):
            return f'{path} is missing'
    if 'files' in info:
        folder, suffix, count = info['files']
        n = count_files(folder, suffix)[2]
        if n < count:
            return f'{folder} holds {n} of its {count} {suffix} files'
    return None


def latest_test_metrics(test_dir: str) -> Dict[str, float]:
    """Metrics mmengine's logger dumped for the latest test run."""
    runs = sorted(glob.glob(osp.join(test_dir, '*', '*.json')))
    if not runs:
        raise FileNotFoundError(f'no test results under {test_dir}')
    with open(runs[-1]) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    return {k: v for k, v in lines[-1].items()
            if k in ('aAcc', 'mIoU', 'mAcc', 'cls/mAP')
            or k.startswith('zone/')}


def _checkpoint(work_dir: str) -> dict:
    """The checkpoint mmengine named last in ``work_dir``."""
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    return dict(checkpoint=checkpoint, paths=[checkpoint])


def _tool(name: str, *args: str) -> Command:
    return [sys.executable, f'tools/{name}.py', *args]


# ----------------------------------------------------------------------
# the stages
# ----------------------------------------------------------------------
def _data_commands(ctx: Context, done: Done) -> List[Command]:
    if ctx.data_root:
        return []
    return [_tool('make_toy_dataset', '--out', ctx.toy_dir, '--seed',
                  str(ctx.toy_seed), *(['--context'] if ctx.toy_context
                                       else []))]


def _data_check(ctx: Context) -> Optional[str]:
    if ctx.data_root and not osp.isdir(ctx.voc):
        return f'--data-root: {ctx.voc} does not exist'
    if ctx.layout == 'folder':
        # the whole folder is checked before any stage writes
        from ..datasets.image_folder import validate_folder
        try:
            validate_folder(ctx.voc)
        except (FileNotFoundError, ValueError) as err:
            return f'error: {err}'
    return None


def uses_standin(config: str) -> bool:
    """Whether the backbone of ``config`` loads the toy stand-in
    (``standin://``, :mod:`seenet_mm.standin`)."""
    from mmengine.config import Config

    from ..standin import SCHEME
    try:
        init = Config.fromfile(config).get('model', {}).get(
            'backbone', {}).get('init_cfg') or {}
    except Exception:  # the training that reads it names what is wrong
        return False
    inits = init if isinstance(init, list) else [init]
    return any(str(i.get('checkpoint', '')).startswith(SCHEME)
               for i in inits)


def _standin_skip(ctx: Context) -> Optional[str]:
    if uses_standin(ctx.attention_config) or \
            uses_standin(ctx.segmentation_config):
        return None
    return 'the configs do not load the toy stand-in'


def _standin_record(ctx: Context, done: Done) -> dict:
    from ..standin import standin_path
    return dict(paths=[standin_path()])


# The main job's trainings run without their validation passes: nobody
# reads them there, the test stages that follow score the final checkpoint,
# and skipping them shortens the main job
NO_VALIDATION = ('val_cfg=None', 'val_dataloader=None', 'val_evaluator=None')


def _attention_commands(ctx: Context, done: Done) -> List[Command]:
    return [_tool('train', ctx.attention_config, '--work-dir',
                  ctx.path('attention'), '--resume', *ctx.amp_flag(),
                  '--cfg-options',
                  *ctx.data_options(), *ctx.attention_options(),
                  *ctx.seed_options(), *NO_VALIDATION)]


def _attention_test_commands(ctx: Context, done: Done) -> List[Command]:
    return [_tool('test', ctx.attention_config,
                  done['attention']['checkpoint'], '--work-dir',
                  ctx.path('attention_test'), *ctx.amp_flag(),
                  '--cfg-options',
                  *ctx.data_options(), *ctx.attention_options(),
                  *ctx.model_options)]


def _maps_commands(ctx: Context, done: Done) -> List[Command]:
    options = [*ctx.attention_options(), *ctx.model_options]
    extra = ['--cfg-options', *options] if options else []
    return [_tool('infer_attention', ctx.attention_config,
                  done['attention']['checkpoint'], '--out-dir',
                  ctx.path('maps'), '--data-root', ctx.voc,
                  *ctx.amp_flag(), *extra)]


def _labels_commands(ctx: Context, done: Done) -> List[Command]:
    method = ctx.resolved_proxy_method()
    if method == 'threshold':
        print(f'  proxy labels without saliency maps ({ctx.saliency_dir} '
              'not used): attention > 0.30 is the class, <= 0.05 the '
              'background, 255 between (IRN\'s thresholds)', flush=True)
        return [_tool('make_proxy_labels', '--attention-dir',
                      ctx.path('maps'), '--method', 'threshold',
                      '--out-dir', ctx.path('labels'))]
    return [_tool('make_proxy_labels', '--attention-dir', ctx.path('maps'),
                  '--saliency-dir', ctx.saliency_dir, '--out-dir',
                  ctx.path('labels'))]


def _labels_check(ctx: Context) -> Optional[str]:
    if ctx.proxy_method == 'saliency' and not osp.isdir(ctx.saliency_dir):
        return (f'error: --proxy-labels saliency: the saliency folder '
                f'{ctx.saliency_dir} does not exist')
    return None


def _quality_skip(ctx: Context) -> Optional[str]:
    if not osp.isdir(ctx.gt_dir):
        return (f'no ground-truth masks ({ctx.gt_dir} does not exist): seed '
                'and proxy-label mIoU not measured')
    if ctx.layout == 'folder' and not ctx.masked_names('train'):
        return (f'no train image has a mask in {ctx.gt_dir}: seed and '
                'proxy-label mIoU not measured')
    return None


def val_masks_missing(ctx: Context) -> Optional[str]:
    """Why the segmentation cannot be evaluated (no val masks), or None."""
    if ctx.layout != 'folder':
        return None
    names = ctx.split_names('val')
    if not names:
        return 'no val.json: segmentation val mIoU not measured'
    missing = [n for n in names
               if not osp.isfile(osp.join(ctx.gt_dir, n + '.png'))]
    if missing:
        return (f'{len(missing)} of the {len(names)} val images have no mask '
                f'in {ctx.gt_dir} (e.g. {missing[0]}): segmentation val '
                'mIoU not measured')
    return None


def _quality_commands(ctx: Context, done: Done) -> List[Command]:
    context = ['--context-dir', ctx.context_dir] \
        if osp.isdir(ctx.context_dir) else []
    return [_tool('eval_seeds', '--attention-dir', ctx.path('maps'),
                  '--label-dir', ctx.path('labels'), '--gt-dir', ctx.gt_dir,
                  '--out', ctx.path('quality.json'), *ctx.quality_split_args(),
                  *ctx.threshold_options(), *context)]


def read_quality(ctx: Context) -> dict:
    """The quality stage's JSON (``tools/eval_seeds.py --out``)."""
    with open(ctx.path('quality.json')) as f:
        return json.load(f)


def _quality_metrics(ctx: Context) -> Dict[str, object]:
    quality = read_quality(ctx)
    return {
        'seed mIoU (best threshold)': quality['seeds']['best']['mIoU'],
        'best threshold': quality['seeds']['best_threshold'],
        'best threshold at sweep edge': quality['seeds']['best_at_edge'],
        'proxy-label mIoU': quality['labels']['mIoU'],
        # IRN's protocol: a proxy label's 255 pixels count as background
        'proxy-label mIoU (255 as background)':
            quality['labels'].get('mIoU_ignore_as_background'),
        'proxy-label background spread %':
            quality['labels']['background_spread'],
        'proxy-label ignored %': quality['labels'].get('ignored_fraction'),
        **({'seed context spread %': quality['seeds']['context_spread'],
            'proxy-label context spread %':
                quality['labels'].get('context_spread')}
           if 'context_spread' in quality['seeds'] else {}),
    }


def _gallery_commands(ctx: Context, done: Done) -> List[Command]:
    extra = ['--cfg-options', *ctx.attention_options()] \
        if ctx.attention_options() else []
    return [_tool('make_gallery', ctx.attention_config,
                  done['attention']['checkpoint'], '--attention-dir',
                  ctx.path('maps'), '--label-dir', ctx.path('labels'),
                  '--data-root', ctx.voc, '--gt-dir', ctx.gt_dir,
                  '--out-dir', ctx.path('gallery'), *extra)]


def _segmentation_commands(ctx: Context, done: Done) -> List[Command]:
    return [_tool('train', ctx.segmentation_config, '--work-dir',
                  ctx.path('segmentation'), '--resume', *ctx.amp_flag(),
                  '--cfg-options',
                  *ctx.data_options(), *ctx.segmentation_options(),
                  'train_dataloader.dataset.data_prefix.seg_map_path='
                  + ctx.path('labels'), *ctx.seed_options(),
                  *NO_VALIDATION)]


# (metric name suffix, flags of tools/test.py); the work dir of each is
# segmentation_test, segmentation_test_tta, segmentation_test_crf
SEGMENTATION_TESTS = (('', ()), (' --tta', ('--tta', )),
                      (' --crf', ('--crf', )))


def _segmentation_test_dir(ctx: Context, suffix: str) -> str:
    return ctx.path('segmentation_test' + suffix.replace(' --', '_'))


def _segmentation_test_commands(ctx: Context, done: Done) -> List[Command]:
    return [_tool('test', ctx.segmentation_config,
                  done['segmentation']['checkpoint'], '--work-dir',
                  _segmentation_test_dir(ctx, suffix), *flags,
                  *ctx.amp_flag(), '--cfg-options', *ctx.data_options(),
                  *ctx.segmentation_options())
            for suffix, flags in SEGMENTATION_TESTS]


def _segmentation_test_metrics(ctx: Context) -> Dict[str, object]:
    return {f'segmentation val mIoU{suffix}': latest_test_metrics(
        _segmentation_test_dir(ctx, suffix))['mIoU']
        for suffix, _ in SEGMENTATION_TESTS}


STAGES: Tuple[Stage, ...] = (
    Stage('data', (), _data_commands,
          record=lambda ctx, done: dict(
              paths=[ctx.image_dir]),
          check=_data_check),
    # made once per machine in the shared stand-in folder; its time counts
    # in the job that made it
    Stage('standin', (),
          lambda ctx, done: [_tool('make_standin', '--if-missing',
                                   *ctx.amp_flag())],
          record=_standin_record, skip=_standin_skip),
    Stage('attention', ('data', 'standin'), _attention_commands,
          record=lambda ctx, done: _checkpoint(ctx.path('attention'))),
    Stage('attention_test', ('attention', ), _attention_test_commands,
          metrics=lambda ctx: latest_test_metrics(
              ctx.path('attention_test'))),
    Stage('maps', ('attention', ), _maps_commands,
          record=lambda ctx, done: dict(
              files=count_files(ctx.path('maps'), '.npz'))),
    Stage('labels', ('maps', ), _labels_commands,
          record=lambda ctx, done: dict(
              files=count_files(ctx.path('labels'), '.png'),
              method=ctx.resolved_proxy_method()),
          check=_labels_check),
    Stage('quality', ('maps', 'labels'), _quality_commands,
          record=lambda ctx, done: dict(paths=[ctx.path('quality.json')]),
          metrics=_quality_metrics, skip=_quality_skip),
    Stage('gallery', ('attention', 'maps', 'labels'), _gallery_commands,
          record=lambda ctx, done: dict(
              paths=[ctx.path('gallery', 'index.md')])),
    Stage('segmentation', ('labels', 'standin'), _segmentation_commands,
          record=lambda ctx, done: _checkpoint(ctx.path('segmentation'))),
    Stage('segmentation_test', ('segmentation', ),
          _segmentation_test_commands, metrics=_segmentation_test_metrics,
          skip=val_masks_missing),
)
STAGE_NAMES: Tuple[str, ...] = tuple(s.name for s in STAGES)
# the attention chain that --compare runs per mode and seed (after data)
COMPARE_STAGES: Tuple[str, ...] = ('attention', 'attention_test', 'maps',
                                   'labels', 'quality')


def get_stage(name: str, stages: Sequence[Stage] = STAGES) -> Stage:
    for stage in stages:
        if stage.name == name:
            return stage
    raise KeyError(f'no stage {name!r}')


def dependents(name: str, stages: Sequence[Stage] = STAGES) -> List[str]:
    """``name`` and every stage that reads its outputs, directly or not,
    in pipeline order (``stages`` is in dependency order)."""
    out = {name}
    for stage in stages:
        if any(r in out for r in stage.reads):
            out.add(stage.name)
    return [s.name for s in stages if s.name in out]
