"""The main job as a table of stages: :data:`STAGES`, the one list of the
stages and their names.

A :class:`Stage` is one block: the stages whose outputs it reads, what it
does (its calls, built without side effects), what it
writes (recorded: ``checkpoint``, ``paths`` that must exist, ``files``:
``[folder, suffix, count]``) and the metrics it measured. The main run and
``--compare`` loop over the table; :func:`stage_table` prints it for the
command line's help and the docs.
"""
from __future__ import annotations

import glob
import json
import os.path as osp
import sys
from dataclasses import dataclass
from typing import (Callable, Dict, List, Mapping, Optional, Sequence,
                    Tuple)

from ..apis.image_list import tune_names
from ..cli import option_text
from ..fileio import last_checkpoint, write_text
from ..standin import standin_path, uses_standin
from .context import Context

Done = Mapping[str, dict]  # the recorded info of the finished stages


@dataclass(frozen=True)
class Stage:
    """One step of the job.

    Args:
        name: the stage's name (state key, ``--from`` choice).
        reads: the stages whose outputs it reads.
        commands: ``(ctx, done) -> [Call, ...]``, run in order (a typed
            function and its arguments, or a tool run as a process);
            ``done`` holds the finished stages' info. Builds the steps
            only: no output, no file.
        record: ``(ctx, done) -> info`` after the commands: what the stage
            wrote (``checkpoint``, ``paths``, ``files``).
        metrics: ``ctx -> {name: value}`` measured by the stage, stored as
            ``info['metrics']`` and merged into the report.
        check: ``ctx -> reason`` the stage cannot run, or None.
        skip: ``ctx -> reason`` the stage has nothing to do on this data
            (e.g. no masks to score against), or None; a skipped stage is
            recorded as finished with ``info['skipped']`` and no metrics.
        prepare: ``ctx -> None``, run before the commands: the files its
            command lines name (e.g. a split list).
        announce: ``ctx -> line`` printed when the stage starts, or None.
        does: what it runs, for the stage table (:func:`stage_table`).
        writes: what it records, for the stage table.
        reports: its metrics in the report, for the stage table.
    """
    name: str
    reads: Tuple[str, ...]
    commands: Callable[[Context, Done], List['Call']]
    record: Callable[[Context, Done], dict] = lambda ctx, done: {}
    metrics: Optional[Callable[[Context], Dict[str, object]]] = None
    check: Optional[Callable[[Context], Optional[str]]] = None
    skip: Optional[Callable[[Context], Optional[str]]] = None
    prepare: Optional[Callable[[Context], None]] = None
    announce: Optional[Callable[[Context], Optional[str]]] = None
    does: str = ''
    writes: str = ''
    reports: str = ''


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


# the metrics of a test the report keeps (not the per-class ones)
def report_test_metrics(metrics: Mapping[str, float]) -> Dict[str, float]:
    return {k: v for k, v in metrics.items()
            if k in ('aAcc', 'mIoU', 'mAcc', 'cls/mAP')
            or k.startswith('zone/')}


def test_metrics(test_dir: str) -> Dict[str, float]:
    """The metrics ``tools/test.py --metrics-out`` wrote for the test run
    in ``test_dir`` (:func:`metrics_file`), those the report keeps."""
    with open(metrics_file(test_dir)) as f:
        return report_test_metrics(json.load(f))


def metrics_file(test_dir: str) -> str:
    return osp.join(test_dir, 'metrics.json')


def _checkpoint(work_dir: str) -> dict:
    """The checkpoint mmengine named last in ``work_dir``."""
    checkpoint = last_checkpoint(work_dir)
    if not checkpoint:
        raise FileNotFoundError(f'no checkpoint in {work_dir} '
                                '(last_checkpoint)')
    return dict(checkpoint=checkpoint, paths=[checkpoint])


@dataclass(frozen=True)
class Call:
    """A stage's step: a typed function of :mod:`seenet_mm.apis` called in
    this process with keyword arguments, and the command line of its tool
    (``tools/<script>.py``) that does the same, written to the log so that
    every step can be rerun by hand. Without a function (``func=None``) the
    tool runs as a process of its own: the refinement (its pool forks
    workers), the converters and the saliency model.

    The command line follows the tools' convention: ``positional`` values
    first, then ``--name-with-dashes VALUE`` per keyword (``True``: the flag
    alone; ``False`` and ``None``: nothing, except ``amp=False``:
    ``--no-amp``; a list: its values; ``cfg_options``: ``key=value`` pairs).
    A test parses every stage's line with its tool's ``parse_args`` and
    checks that it gives these arguments.
    """
    script: str
    func: Optional[Callable[..., object]]  # None: run as a process
    kwargs: Mapping[str, object]
    positional: Tuple[str, ...] = ()

    def argv(self) -> List[str]:
        line = [sys.executable, f'tools/{self.script}.py']
        line += [str(self.kwargs[k]) for k in self.positional]
        for key, value in self.kwargs.items():
            flag = '--' + key.replace('_', '-')
            if key in self.positional or value is None:
                continue
            if key == 'amp':
                line.append('--amp' if value else '--no-amp')
            elif value is True:
                line.append(flag)
            elif value is False:
                continue
            elif key == 'cfg_options':
                if value:
                    line += [flag] + [f'{k}={option_text(v)}'
                                      for k, v in value.items()]
            elif isinstance(value, (list, tuple)):
                line += [flag] + [str(v) for v in value]
            else:
                line += [flag, str(value)]
        return line

    def __call__(self) -> object:
        if self.func is None:
            raise TypeError(f'tools/{self.script}.py runs as a process')
        return self.func(**self.kwargs)


def _apis():
    from .. import apis
    return apis


def _train(config: str, work_dir: str, ctx: Context, options: dict) -> Call:
    return Call('train', _apis().train, dict(
        config=config, work_dir=work_dir, resume=True, amp=ctx.amp,
        cfg_options=options), ('config', ))


def _test(config: str, checkpoint: str, work_dir: str, ctx: Context,
          options: dict, **flags) -> Call:
    return Call('test', _apis().evaluate, dict(
        config=config, checkpoint=checkpoint, work_dir=work_dir,
        metrics_out=metrics_file(work_dir), **flags, amp=ctx.amp,
        cfg_options=options), ('config', 'checkpoint'))


def _eval_seeds(**kwargs) -> Call:
    return Call('eval_seeds', _apis().evaluate_seeds, kwargs)


# ----------------------------------------------------------------------
# the stages
# ----------------------------------------------------------------------
def _data_commands(ctx: Context, done: Done) -> List[Call]:
    if ctx.source_root:
        # the converter checks the source folder whole, resumes, and
        # refuses other settings on an existing output folder
        commands = [Call('dataset_converters/camvid', None, dict(
            root=ctx.source_root, out=ctx.data_dir), ('root', 'out')),
                    Call('model_converters/efficientnet_lite0', None,
                         dict(out=ctx.backbone_weights))]
    elif ctx.data_root:
        commands = []
    else:
        commands = [Call('make_toy_dataset', _apis().make_toy_dataset, dict(
            out=ctx.toy_dir, seed=ctx.toy_seed, context=ctx.toy_context))]
    if ctx.saliency_model:
        # the maps of the dataset's own images (a converted preset's views)
        commands.append(Call('make_saliency', None, dict(
            model=ctx.saliency_model, image_dir=ctx.image_dir,
            out_dir=ctx.saliency_dir, no_progress=True), ('model', )))
    return commands


def _data_check(ctx: Context) -> Optional[str]:
    if ctx.source_root:
        return None  # converted by the stage
    if ctx.data_root and not osp.isdir(ctx.data_dir):
        return f'--data-root: {ctx.data_dir} does not exist'
    if ctx.layout == 'folder':
        # the whole folder is checked before any stage writes
        from ..datasets.image_folder import validate_folder
        try:
            validate_folder(ctx.data_dir)
        except (FileNotFoundError, ValueError) as err:
            return f'error: {err}'
    return None


def _standin_skip(ctx: Context) -> Optional[str]:
    if uses_standin(ctx.attention_config) or \
            uses_standin(ctx.segmentation_config) or \
            (ctx.resolved_refine() == 'irn' and
             uses_standin(ctx.affinity_config)):
        return None
    return 'the configs do not load the toy stand-in'


def _make_standin(ctx: Context) -> Call:
    return Call('make_standin', _apis().make_standin,
                dict(if_missing=True, amp=ctx.amp))


def _standin_record(ctx: Context, done: Done) -> dict:
    return dict(paths=[standin_path()])


# The main job's trainings run without their validation passes: nobody
# reads them there, the test stages that follow score the final checkpoint,
# and skipping them shortens the main job
NO_VALIDATION = {'val_cfg': None, 'val_dataloader': None,
                 'val_evaluator': None}


def validation_options(ctx: Context) -> Dict[str, object]:
    """The attention training's validation: none, or every
    ``--val-interval`` iterations (its metrics, T_A's zones among them, go
    to the training's ``scalars.json``; :func:`val_history` reads them)."""
    if ctx.val_interval is None:
        return NO_VALIDATION
    return {'train_cfg.val_interval': ctx.val_interval}


def _attention_commands(ctx: Context, done: Done) -> List[Call]:
    return [_train(ctx.attention_config, ctx.path('attention'), ctx, {
        **ctx.data_options(), **ctx.attention_options(),
        **ctx.seed_options(), **validation_options(ctx)})]


def _attention_test_commands(ctx: Context, done: Done) -> List[Call]:
    return [_test(ctx.attention_config, done['attention']['checkpoint'],
                  ctx.path('attention_test'), ctx, {
                      **ctx.data_options(), **ctx.attention_options()})]


def _attention_test_skip(ctx: Context) -> Optional[str]:
    if ctx.layout == 'folder' and not ctx.split_names('val'):
        return 'no val.json: cls/mAP not measured'
    return None


def _maps_commands(ctx: Context, done: Done) -> List[Call]:
    options = ctx.attention_options()

    def maps(out_dir: str, **labels) -> Call:
        return Call('infer_attention', _apis().infer_attention, dict(
            config=ctx.attention_config,
            checkpoint=done['attention']['checkpoint'], out_dir=out_dir,
            data_root=ctx.data_dir, **labels, amp=ctx.amp,
            cfg_options=options), ('config', 'checkpoint'))
    commands = [maps(ctx.path('maps'))]
    if ctx.label_free:
        # the classes the classifier predicts, its threshold chosen on the
        # tuning split's image labels
        commands.append(maps(ctx.path('maps_label_free'), labels='predicted',
                             tune_split=tune_split_file(ctx)))
    return commands


def _maps_prepare(ctx: Context) -> None:
    if ctx.label_free:
        write_splits(ctx)


def _labels_commands(ctx: Context, done: Done) -> List[Call]:
    if ctx.resolved_proxy_method() == 'threshold':
        # IRN's confident seeds: thresholds from each image's maps (auto),
        # each side refined by a dense CRF
        return [Call('make_proxy_labels', _apis().make_proxy_labels, dict(
            attention_dir=ctx.path('maps'), method='threshold', crf=True,
            image_dir=ctx.image_dir, out_dir=ctx.path('labels')))]
    return [Call('make_proxy_labels', _apis().make_proxy_labels, dict(
        attention_dir=ctx.path('maps'), saliency_dir=ctx.saliency_dir,
        out_dir=ctx.path('labels')))]


def _labels_announce(ctx: Context) -> Optional[str]:
    if ctx.resolved_proxy_method() != 'threshold':
        return None
    return (f'  proxy labels without saliency maps ({ctx.saliency_dir} not '
            'used): confident class and background by thresholds from each '
            'image\'s maps and a dense CRF, 255 between (IRN\'s seeds)')


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


def split_masks_missing(ctx: Context, split: str) -> Optional[str]:
    """Why an own-folder split cannot be scored or trained on its masks
    (no ``<split>.json``, or images without a mask), or None."""
    names = ctx.split_names(split)
    if not names:
        return f'no {split}.json'
    missing = [n for n in names
               if not osp.isfile(osp.join(ctx.gt_dir, n + '.png'))]
    if missing:
        return (f'{len(missing)} of the {len(names)} {split} images have no '
                f'mask in {ctx.gt_dir} (e.g. {missing[0]})')
    return None


def val_masks_missing(ctx: Context) -> Optional[str]:
    """Why the segmentation cannot be evaluated (no val masks), or None."""
    if ctx.layout != 'folder':
        return None
    why = split_masks_missing(ctx, 'val')
    return f'{why}: segmentation val mIoU not measured' if why else None


def quality_split(ctx: Context) -> Optional[str]:
    """The image list the quality stage scores: VOC's train split (1,464
    images with masks; SBD's train_aug images have none), an own folder's
    train images that have a mask (written by :func:`write_splits`), or
    None (every image) when the toy or VOC split file does not exist.
    Decided when the stage runs, so that a fresh toy run (whose split files
    the data stage writes) and a resumed one score the same way."""
    if ctx.layout == 'folder':
        return ctx.path('quality_split.txt')
    split = osp.join(ctx.data_dir, 'ImageSets', 'Segmentation', 'train.txt')
    return split if osp.isfile(split) else None


def tune_split_file(ctx: Context) -> str:
    return ctx.path('tune_split.txt')


def _scored_names(ctx: Context) -> List[str]:
    """The images the quality stage scores."""
    from ..apis.image_list import read_names
    split = ctx.quality_split if ctx.quality_split is not None \
        else quality_split(ctx)
    if split:  # (a missing list is eval_seeds' error to give)
        return read_names(split) if osp.isfile(split) else []
    return sorted(osp.basename(p)[:-4] for p in glob.glob(
        osp.join(ctx.path('maps'), '*.npz')))


def write_splits(ctx: Context) -> None:
    """The images the quality stage scores (an own folder's train images
    with a mask) and, where both it and the report split get images, the
    tuning split: a fixed share of them (:func:`tune_names`)."""
    if ctx.quality_split is None and ctx.layout == 'folder':
        write_text(quality_split(ctx),
                   '\n'.join(ctx.masked_names('train')) + '\n')
    # the tuning split, where both it and the report split have images
    names = _scored_names(ctx)
    tune = tune_names(names)
    path = tune_split_file(ctx)
    if tune and len(tune) < len(names):
        write_text(path, '\n'.join(tune) + '\n')
    elif osp.isfile(path):
        import os
        os.remove(path)


def _quality_commands(ctx: Context, done: Done) -> List[Call]:
    split = ctx.quality_split if ctx.quality_split is not None \
        else quality_split(ctx)
    tune = tune_split_file(ctx) if osp.isfile(tune_split_file(ctx)) \
        else None
    commands = [_eval_seeds(
        attention_dir=ctx.path('maps'), label_dir=ctx.path('labels'),
        gt_dir=ctx.gt_dir, out=ctx.path('quality.json'), split=split,
        thresholds=ctx.thresholds,
        context_dir=ctx.context_dir if osp.isdir(ctx.context_dir) else None,
        # confident seeds: also the mask-tuned thresholds, as an oracle
        oracle=ctx.resolved_proxy_method() == 'threshold', tune_split=tune)]
    if ctx.label_free:
        commands.append(_eval_seeds(
            attention_dir=ctx.path('maps_label_free'), gt_dir=ctx.gt_dir,
            out=ctx.path('quality_label_free.json'), split=split,
            thresholds=ctx.thresholds, tune_split=tune))
    return commands


def read_quality(ctx: Context) -> dict:
    """The quality stage's JSON (``tools/eval_seeds.py --out``)."""
    with open(ctx.path('quality.json')) as f:
        return json.load(f)


def label_free_metrics(ctx: Context) -> Dict[str, object]:
    """The seeds of the maps of the predicted classes (``--label-free``):
    at the tuned threshold where there is a tuning split, else the best;
    their PxAP; the F1 of the predicted image labels."""
    with open(ctx.path('quality_label_free.json')) as f:
        q = json.load(f)
    with open(ctx.path('maps_label_free', 'predicted_labels.json')) as f:
        predicted = json.load(f)
    seeds = q['tuned']['mIoU'] if 'tuned' in q else q['seeds']['best']['mIoU']
    return {'seed mIoU (label-free)': seeds,
            'seed PxAP (label-free)': q['seeds']['pxap'],
            'label-free label F1': predicted['f1'],
            'label-free label threshold': predicted['threshold']}


def _quality_metrics(ctx: Context) -> Dict[str, object]:
    quality = read_quality(ctx)
    return {
        'seed mIoU (best threshold)': quality['seeds']['best']['mIoU'],
        'best threshold': quality['seeds']['best_threshold'],
        'best threshold at sweep edge': quality['seeds']['best_at_edge'],
        # threshold-free: the maps' pixel average precision (Choe et al.)
        **({'seed PxAP': quality['seeds']['pxap']}
           if 'pxap' in quality['seeds'] else {}),
        # the threshold chosen on the tuning split, scored on the others,
        # beside the best threshold of those others (an oracle)
        **({'seed mIoU (tuned threshold)': quality['tuned']['mIoU'],
            'tuned threshold': quality['tuned']['threshold'],
            'seed mIoU (best threshold, report split)':
                quality['tuned']['oracle_mIoU']}
           if 'tuned' in quality else {}),
        **(label_free_metrics(ctx) if ctx.label_free else {}),
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


def _gallery_commands(ctx: Context, done: Done) -> List[Call]:
    refined = dict(refined_dir=ctx.path('refined'),
                   boundary_dir=ctx.path('boundary')) \
        if ctx.resolved_refine() == 'irn' else {}
    return [Call('make_gallery', _apis().write_gallery, dict(
        config=ctx.attention_config,
        checkpoint=done['attention']['checkpoint'],
        attention_dir=ctx.path('maps'), label_dir=ctx.path('labels'),
        data_root=ctx.data_dir, gt_dir=ctx.gt_dir,
        out_dir=ctx.path('gallery'), **refined,
        cfg_options=ctx.attention_options()), ('config', 'checkpoint'))]


def _refine_skip(ctx: Context) -> Optional[str]:
    if ctx.resolved_refine() == 'none':
        return ('no refinement (--refine none, or labels made with '
                'saliency maps)')
    return None


def _affinity_commands(ctx: Context, done: Done) -> List[Call]:
    return [_train(ctx.affinity_config, ctx.path('affinity'), ctx, {
        'train_dataloader.dataset.data_root': ctx.data_dir,
        'train_dataloader.dataset.data_prefix.seg_map_path':
            ctx.path('labels'), **ctx.seed_options(),
        **ctx.affinity_options()})]


def _refine_commands(ctx: Context, done: Done) -> List[Call]:
    # without saliency the labels are confident seeds: kept where they are
    # confident, the walk fills in their 255; with saliency Algorithm 1
    # labels the walked maps
    mode = dict(seed_dir=ctx.path('labels')) \
        if ctx.resolved_proxy_method() == 'threshold' \
        else dict(saliency_dir=ctx.saliency_dir)
    # a process of its own: its pool forks workers
    return [Call('refine_labels', None, dict(
        config=ctx.affinity_config, checkpoint=done['affinity']['checkpoint'],
        attention_dir=ctx.path('maps'), image_dir=ctx.image_dir,
        out_dir=ctx.path('refined'), boundary_out=ctx.path('boundary'),
        **mode, cfg_options=ctx.affinity_options()),
        ('config', 'checkpoint'))]


def _refined_quality_skip(ctx: Context) -> Optional[str]:
    return _refine_skip(ctx) or _quality_skip(ctx)


def _refined_quality_commands(ctx: Context, done: Done) -> List[Call]:
    return [_eval_seeds(label_dir=ctx.path('refined'), gt_dir=ctx.gt_dir,
                        out=ctx.path('refined_quality.json'),
                        split=quality_split(ctx))]


def _refined_quality_metrics(ctx: Context) -> Dict[str, object]:
    with open(ctx.path('refined_quality.json')) as f:
        labels = json.load(f)['labels']
    return {'refined-label mIoU': labels['mIoU'],
            'refined-label mIoU (255 as background)':
                labels.get('mIoU_ignore_as_background')}


def _segmentation_train(ctx: Context, work_dir: str, labels: str
                        ) -> Call:
    """The segmentation config trained on the label folder ``labels``."""
    return _train(ctx.segmentation_config, work_dir, ctx, {
        **ctx.data_options(), **ctx.segmentation_options(),
        'train_dataloader.dataset.data_prefix.seg_map_path': labels,
        **ctx.seed_options(), **NO_VALIDATION})


def _segmentation_commands(ctx: Context, done: Done) -> List[Call]:
    return [_segmentation_train(ctx, ctx.path('segmentation'),
                                ctx.train_labels)]


# (report metric, work dir, options of the test)
SEGMENTATION_TESTS = (
    ('segmentation val mIoU', 'segmentation_test', {}),
    ('segmentation val mIoU --tta', 'segmentation_test_tta', {'tta': True}),
    ('segmentation val mIoU --crf', 'segmentation_test_crf', {'crf': True}))


# the plain test's predictions, scored per class against the val masks
PREDICTIONS = ('segmentation_test', 'predictions')
SEGMENTATION_QUALITY = ('segmentation_test', 'quality.json')


def _save_prediction_classes(ctx: Context) -> None:
    """The class list beside the predictions, for their per-class scores
    (the images' class ids 1..M name these classes)."""
    import os
    from ..fileio import save_classes
    from ..metainfo import VOC_CLASSES
    os.makedirs(ctx.path(*PREDICTIONS), exist_ok=True)
    save_classes(ctx.path(*PREDICTIONS), ctx.classes or VOC_CLASSES[1:])


def _segmentation_test_commands(ctx: Context, done: Done) -> List[Call]:
    options = {**ctx.data_options(), **ctx.segmentation_options()}
    commands = [_test(ctx.segmentation_config,
                      done['segmentation']['checkpoint'], ctx.path(folder),
                      ctx, options, **flags,
                      **({} if flags else {'out': ctx.path(*PREDICTIONS)}))
                for _, folder, flags in SEGMENTATION_TESTS]
    # per class: precision, recall and the false-positive share
    commands.append(_eval_seeds(label_dir=ctx.path(*PREDICTIONS),
                                gt_dir=ctx.gt_dir,
                                out=ctx.path(*SEGMENTATION_QUALITY)))
    return commands


def _segmentation_test_metrics(ctx: Context) -> Dict[str, object]:
    return {metric: test_metrics(ctx.path(folder))['mIoU']
            for metric, folder, _ in SEGMENTATION_TESTS}


FULL_SUPERVISION = 'segmentation val mIoU (full supervision)'
RATIO_TO_FULL = 'segmentation val mIoU / full supervision'


def _upper_bound_skip(ctx: Context) -> Optional[str]:
    if not ctx.upper_bound:
        return 'no --upper-bound'
    if not osp.isdir(ctx.gt_dir):
        return f'no true masks ({ctx.gt_dir} does not exist)'
    return split_masks_missing(ctx, 'train') or val_masks_missing(ctx)


def _upper_bound_commands(ctx: Context, done: Done) -> List[Call]:
    # the same config, seed and schedule, on the true masks
    return [_segmentation_train(ctx, ctx.path('upper_bound'), ctx.gt_dir)]


def _upper_bound_test_commands(ctx: Context, done: Done) -> List[Call]:
    return [_test(ctx.segmentation_config, done['upper_bound']['checkpoint'],
                  ctx.path('upper_bound_test'), ctx,
                  {**ctx.data_options(), **ctx.segmentation_options()})]


def _upper_bound_metrics(ctx: Context) -> Dict[str, object]:
    full = test_metrics(ctx.path('upper_bound_test'))['mIoU']
    proxy = test_metrics(ctx.path('segmentation_test'))['mIoU']
    return {FULL_SUPERVISION: full,
            RATIO_TO_FULL: round(proxy / full, 4) if full else float('nan')}


def _test_split_skip(ctx: Context) -> Optional[str]:
    if not ctx.split_names('test'):
        return 'no test.json: nothing held out'
    return split_masks_missing(ctx, 'test')


def _test_split_runs(ctx: Context, done: Done
                     ) -> List[Tuple[str, str, str, Dict[str, bool]]]:
    """(metric, checkpoint, work dir, options) of each scoring on the test
    split: the segmentation as its val tests, and the ceiling where it
    ran."""
    runs = [(metric, done['segmentation']['checkpoint'],
             ctx.path('test_split', folder), flags)
            for metric, folder, flags in SEGMENTATION_TESTS]
    full = done.get('upper_bound', {})
    if 'checkpoint' in full:
        runs.append((FULL_SUPERVISION, full['checkpoint'],
                     ctx.path('test_split', 'upper_bound_test'), {}))
    return runs


def _test_split_commands(ctx: Context, done: Done) -> List[Call]:
    # the val configs' settings, only the image list and its masks changed:
    # nothing is chosen on the test split
    options = {**ctx.data_options(), **ctx.segmentation_options(),
               'test_dataloader.dataset.ann_file': 'test.json'}
    return [_test(ctx.segmentation_config, checkpoint, folder, ctx, options,
                  **flags)
            for _, checkpoint, folder, flags in _test_split_runs(ctx, done)]


def _test_split_record(ctx: Context, done: Done) -> dict:
    """The test split's figures, under the keys of the val figures
    (``report.json``'s ``test_metrics``)."""
    scores = {metric: test_metrics(folder)['mIoU']
              for metric, _, folder, _ in _test_split_runs(ctx, done)}
    full = scores.get(FULL_SUPERVISION)
    if full:
        scores[RATIO_TO_FULL] = round(
            scores['segmentation val mIoU'] / full, 4)
    return dict(test_metrics=scores, paths=[ctx.path('test_split')])


STAGES: Tuple[Stage, ...] = (
    Stage('data', (), _data_commands,
          record=lambda ctx, done: dict(paths=[ctx.image_dir]),
          check=_data_check,
          does='`tools/make_toy_dataset.py` (toy set only; with '
               '`--data-root` the folder is checked; `--preset camvid`: '
               '`tools/dataset_converters/camvid.py`)',
          writes='the image folder'),
    # made once per machine in the shared stand-in folder; its time counts
    # in the job that made it
    Stage('standin', (),
          lambda ctx, done: [_make_standin(ctx)],
          record=_standin_record, skip=_standin_skip,
          does='`tools/make_standin.py --if-missing` when a config loads '
               '`standin://` (the default toy preset); skipped otherwise',
          writes='the stand-in in the shared folder'),
    Stage('attention', ('data', 'standin'), _attention_commands,
          record=lambda ctx, done: _checkpoint(ctx.path('attention')),
          does='`tools/train.py` (attention config)',
          writes='the checkpoint'),
    Stage('attention_test', ('attention', ), _attention_test_commands,
          metrics=lambda ctx: test_metrics(ctx.path('attention_test')),
          skip=_attention_test_skip,
          does='`tools/test.py --metrics-out`',
          reports='`cls/mAP` and the test\'s other metrics (e.g. '
                  '`zone/*`)'),
    Stage('maps', ('attention', ), _maps_commands,
          record=lambda ctx, done: dict(
              files=count_files(ctx.path('maps'), '.npz')),
          prepare=_maps_prepare,
          does='`tools/infer_attention.py`',
          writes='one attention file per image'),
    Stage('labels', ('maps', ), _labels_commands,
          record=lambda ctx, done: dict(
              files=count_files(ctx.path('labels'), '.png'),
              method=ctx.resolved_proxy_method()),
          check=_labels_check, announce=_labels_announce,
          does='`tools/make_proxy_labels.py` (Algorithm 1, or `--method '
               'threshold --crf` without saliency)',
          writes='one label per image, the method'),
    Stage('quality', ('maps', 'labels'), _quality_commands,
          record=lambda ctx, done: dict(paths=[ctx.path('quality.json')]),
          metrics=_quality_metrics, skip=_quality_skip,
          prepare=write_splits,
          does='`tools/eval_seeds.py`', writes='the quality JSON',
          reports='seed and proxy-label mIoU (see [Report keys]'
                  '(#report-keys-contract))'),
    Stage('affinity', ('labels', 'standin'), _affinity_commands,
          record=lambda ctx, done: _checkpoint(ctx.path('affinity')),
          skip=_refine_skip,
          does='`tools/train.py` (affinity config) on the proxy labels, '
               'with `--refine irn` (the default without saliency)',
          writes='the checkpoint'),
    Stage('refine', ('affinity', 'maps', 'labels'), _refine_commands,
          record=lambda ctx, done: dict(
              files=count_files(ctx.path('refined'), '.png'),
              paths=[ctx.path('boundary')]),
          skip=_refine_skip,
          does='`tools/refine_labels.py` (the confident seeds kept, or '
               'Algorithm 1 on the walked maps with saliency)',
          writes='one refined label per image'),
    Stage('refined_quality', ('refine', ), _refined_quality_commands,
          record=lambda ctx, done: dict(
              paths=[ctx.path('refined_quality.json')]),
          metrics=_refined_quality_metrics, skip=_refined_quality_skip,
          prepare=write_splits,
          does='`tools/eval_seeds.py --label-dir`',
          writes='the refined labels\' quality JSON',
          reports='`refined-label mIoU`, `refined-label mIoU (255 as '
                  'background)`'),
    Stage('gallery', ('attention', 'maps', 'labels', 'refine'),
          _gallery_commands,
          record=lambda ctx, done: dict(
              paths=[ctx.path('gallery', 'index.md')]),
          does='`tools/make_gallery.py` (with the refined labels and '
               'boundary maps when refinement ran)',
          writes='`gallery/index.md`'),
    Stage('segmentation', ('labels', 'refine', 'standin'),
          _segmentation_commands,
          record=lambda ctx, done: _checkpoint(ctx.path('segmentation')),
          does='`tools/train.py` (segmentation config)',
          writes='the checkpoint'),
    Stage('segmentation_test', ('segmentation', ),
          _segmentation_test_commands, metrics=_segmentation_test_metrics,
          record=lambda ctx, done: dict(
              paths=[ctx.path(*SEGMENTATION_QUALITY)]),
          skip=val_masks_missing, prepare=_save_prediction_classes,
          does='`tools/test.py --metrics-out`, plain (`--out`: the '
               'predictions, scored per class by `tools/eval_seeds.py '
               '--label-dir`), `--tta` and `--crf`',
          writes='the per-class scores of the plain test',
          reports=', '.join(f'`{m}`' for m, _, _ in SEGMENTATION_TESTS)),
    Stage('upper_bound', ('data', 'standin'), _upper_bound_commands,
          record=lambda ctx, done: _checkpoint(ctx.path('upper_bound')),
          skip=_upper_bound_skip,
          does='`tools/train.py` (segmentation config) on the true train '
               'masks, with `--upper-bound`',
          writes='the checkpoint'),
    Stage('upper_bound_test', ('upper_bound', 'segmentation_test'),
          _upper_bound_test_commands, metrics=_upper_bound_metrics,
          skip=_upper_bound_skip,
          does='`tools/test.py --metrics-out` (plain)',
          reports=f'`{FULL_SUPERVISION}`, `{RATIO_TO_FULL}`'),
    # last: no test mask is read before the final scoring
    Stage('test_split', ('segmentation', 'upper_bound'),
          _test_split_commands, record=_test_split_record,
          skip=_test_split_skip,
          does='`tools/test.py` on `test.json` (own folder), the '
               'segmentation (plain, `--tta`, `--crf`) and the ceiling',
          writes='`test_metrics` in the report',
          reports='`test_metrics`: the segmentation keys of `metrics` on '
                  'the test split'),
)
STAGE_NAMES: Tuple[str, ...] = tuple(s.name for s in STAGES)
# what each stage writes under the work dir (``Context.path`` names): the
# outputs a redone stage must not resume from
STAGE_OUTPUTS: Dict[str, Tuple[str, ...]] = {
    'attention': ('attention', ), 'attention_test': ('attention_test', ),
    # the tuning split: written before the label-free maps read it (and
    # rewritten by the quality stage)
    'maps': ('maps', 'maps_label_free', 'tune_split.txt'),
    'labels': ('labels', ),
    'quality': ('quality.json', 'quality_label_free.json'),
    'affinity': ('affinity', ), 'refine': ('refined', 'boundary'),
    'refined_quality': ('refined_quality.json', ), 'gallery': ('gallery', ),
    'segmentation': ('segmentation', ),
    'segmentation_test': tuple(folder for _, folder, _ in SEGMENTATION_TESTS),
    'upper_bound': ('upper_bound', ),
    'upper_bound_test': ('upper_bound_test', ),
    'test_split': ('test_split', )}


def stage_outputs(name: str, ctx: Context) -> List[str]:
    """The paths ``name`` writes: its folders and files in the work dir;
    for ``data`` the generated toy set or the converted CamVid views (never
    a ``--data-root``); nothing for the shared stand-in."""
    if name == 'data':
        made = [ctx.saliency_dir] if ctx.saliency_model else []
        if ctx.source_root:
            return [ctx.data_dir, *made]
        return made if ctx.data_root else [ctx.toy_dir, *made]
    return [ctx.path(p) for p in STAGE_OUTPUTS.get(name, ())]
# the attention chain that --compare runs per mode and seed (after data)
COMPARE_STAGES: Tuple[str, ...] = ('attention', 'attention_test', 'maps',
                                   'labels', 'quality')
# and, where the labels are refined (--refine irn, the default without
# saliency), each mode's own affinity network and refined labels
REFINE_STAGES: Tuple[str, ...] = ('affinity', 'refine', 'refined_quality')


def compare_chain(ctx: Context) -> Tuple[str, ...]:
    """The stages ``--compare`` runs per mode and seed."""
    if ctx.resolved_refine() == 'irn':
        return COMPARE_STAGES + REFINE_STAGES
    return COMPARE_STAGES


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


def stage_table(stages: Sequence[Stage] = STAGES) -> str:
    """The stages as a Markdown table (docs/pipeline.md holds it, and the
    command line's help prints it)."""
    lines = ['| stage (`--from` name) | reads | tool(s) | records | metrics '
             'in the report |', '|---|---|---|---|---|']
    for stage in stages:
        reads = ', '.join(f'`{r}`' for r in stage.reads) or '—'
        lines.append(f'| `{stage.name}` | {reads} | {stage.does} | '
                     f'{stage.writes} | {stage.reports} |')
    return '\n'.join(lines)
