"""Quality of attention maps (seed mIoU, threshold sweep) and of proxy
labels against the ground truth: :func:`evaluate_seeds`, which
``tools/eval_seeds.py`` calls.

    python tools/eval_seeds.py --attention-dir ATT --gt-dir GT [--split FILE]
        [--thresholds 0.05 0.10 ...] [--label-dir LABELS] [--out FILE.json]
        [--classes classes.json|train.json] [--context-dir CONTEXT]
        [--zone-thresholds 0.05 0.7] [--oracle]

Prints a table and writes JSON (default: ATT/seed_eval.json). The class
list comes from --classes, else ATT/classes.json (or LABELS/classes.json),
else VOC's 20 classes; ground truth holds 0..M and 255.

With --context-dir (masks of class-correlated context, toy sets made with
--context): the context spread, the share of context pixels labelled
foreground (seeds at the best threshold, and proxy labels). The zones of
the stored maps (background: max attention < LOW, erased: >= HIGH) are
scored against the ground truth: recall and precision of each. These are
the zones of the fused maps of the file, not T_A's own (ZoneMetric in
tools/test.py scores those).

With --oracle: the thresholds of confident seeds tuned on the masks, an
oracle for the ``auto`` thresholds that need none: foreground above
t* + 0.10 and background at or below t* - 0.10, t* the best seed threshold;
the labels they give from the maps (no CRF) are scored beside ``auto``'s
(no CRF either), both with 255 counted as background.
"""
from __future__ import annotations

import glob
import os
import os.path as osp
import sys
from typing import Optional, Sequence, Tuple

import numpy as np
from mmengine.utils import ProgressBar

from ..evaluation.seeds import (LabelEvaluator, SeedEvaluator,
                                default_thresholds, to_jsonable)
from ..evaluation.zone_metric import zone_counts, zone_scores
from ..attention_codec import load_attention
from ..fileio import (load_classes, load_label_png, read_classes, write_json)
from .image_list import read_names


def names_of(folder: str, suffix: str, split: str = None) -> list:
    if split:
        with open(split) as f:
            return [line.split()[0] for line in f if line.strip()]
    return sorted(osp.basename(p)[:-len(suffix)]
                  for p in glob.glob(osp.join(folder, '*' + suffix)))


def class_table(res: dict, title: str, names: list) -> list:
    """Per class: IoU, precision, recall, and the false positives' share
    of the errors (over-activation near 100, under-activation near 0)."""
    lines = [title, f'{"class":<14}{"IoU":>8}{"prec.":>8}{"recall":>8}'
             f'{"FP share":>10}']
    for c, name in enumerate(names):
        iou = res['IoU'][c]
        if iou == iou:  # not nan
            lines.append(f'{name:<14}{iou:8.2f}{res["precision"][c]:8.2f}'
                         f'{res["recall"][c]:8.2f}'
                         f'{res["fp_share"][c]:10.2f}')
    return lines


def load_context(folder, name):
    """The context mask of an image (bool), or None without a folder."""
    if not folder:
        return None
    return load_label_png(osp.join(folder, name + '.png')) > 0


def stored_zones(att: np.ndarray, low: float, high: float) -> np.ndarray:
    """-1 / 0 / 1 (background / erased / potential) of the max over the
    file's maps, as T_A's values."""
    peak = att.max(0) if len(att) else np.zeros(att.shape[1:], np.float32)
    zones = np.ones(peak.shape, np.int8)
    zones[peak >= high] = 0
    zones[peak < low] = -1
    return zones


def tuned_threshold(tune: SeedEvaluator, report: SeedEvaluator) -> dict:
    """The background threshold best on the tuning split, and the seed
    mIoU it gives on the report split, beside the report split's own best
    threshold and mIoU (the oracle). Raises ValueError when either split
    has no image."""
    if not tune.count or not report.count:
        raise ValueError(f'--tune-split: the tuning split has {tune.count} '
                         f'images and the report split {report.count}; '
                         'both need some')
    chosen, scored = tune.results(), report.results()
    index = chosen['thresholds'].index(chosen['best_threshold'])
    return dict(threshold=chosen['best_threshold'],
                mIoU=scored['mIoU_per_threshold'][index],
                oracle_threshold=scored['best_threshold'],
                oracle_mIoU=scored['best']['mIoU'],
                tune_images=tune.count, report_images=report.count)


ORACLE_MARGIN = 0.10


def oracle_seeds(attention_dir: str, gt_dir: str, names: Sequence[str],
                 num_classes: int, best_threshold: float) -> dict:
    """Confident seeds at the mask-tuned thresholds ``t* +- 0.10`` (an
    oracle: tuned on the masks) and at ``auto`` (none needed), both from
    the maps without CRF, scored with 255 as background."""
    from ..datasets.label_rules import auto_thresholds, threshold_proxy_label
    fg = min(best_threshold + ORACLE_MARGIN, 1.0)
    # a background threshold of 0 would leave no confident background
    bg = max(best_threshold - ORACLE_MARGIN, 0.01)
    oracle = LabelEvaluator(num_classes + 1)
    auto = LabelEvaluator(num_classes + 1)
    for name in names:
        ids, att = load_attention(osp.join(attention_dir, name + '.npz'),
                                  num_classes)
        gt = load_label_png(osp.join(gt_dir, name + '.png'))
        oracle.add(threshold_proxy_label(att, ids, fg, bg), gt)
        auto.add(threshold_proxy_label(att, ids, *auto_thresholds(att)), gt)
    res, res_auto = oracle.results(), auto.results()
    return dict(best_threshold=best_threshold, fg_thr=fg, bg_thr=bg,
                mIoU_ignore_as_background=res['mIoU_ignore_as_background'],
                ignored_fraction=res['ignored_fraction'],
                auto_mIoU_ignore_as_background=res_auto[
                    'mIoU_ignore_as_background'],
                auto_ignored_fraction=res_auto['ignored_fraction'])


def evaluate_seeds(gt_dir: str, *, attention_dir: Optional[str] = None,
                   label_dir: Optional[str] = None,
                   split: Optional[str] = None,
                   thresholds: Optional[Sequence[float]] = None,
                   out: Optional[str] = None,
                   context_dir: Optional[str] = None,
                   zone_thresholds: Tuple[float, float] = (0.05, 0.7),
                   oracle: bool = False,
                   classes: Optional[str] = None,
                   tune_split: Optional[str] = None) -> dict:
    """Score the attention maps of ``attention_dir`` (seed mIoU over a
    threshold sweep, zones), the proxy labels of ``label_dir``, or both,
    against the masks of ``gt_dir``; print a table, write the JSON report
    and return it.

    Args:
        gt_dir: the masks (0..M, 255 ignore).
        attention_dir: attention files to score (``<name>.npz``).
        label_dir: proxy labels to score (``<name>.png``).
        split: a file of the image names (default: every file of the
            attention or label folder).
        thresholds: the background thresholds of the seed sweep (default
            0.05 ... 0.60).
        out: the JSON report (default: ``ATT/seed_eval.json``).
        context_dir: context masks (``> 0``: context) of a context toy set:
            the context spread is reported.
        zone_thresholds: ``(low, high)``: the zones of the stored maps
            scored against the masks (δl, δh).
        oracle: also the confident seeds at the mask-tuned thresholds
            ``t* +- 0.10`` beside ``auto``'s, both without CRF.
        classes: the class list, a ``classes.json`` or an own-folder
            ``train.json`` (default: the attention / label folder's).
        tune_split: a file of the images the seed threshold is chosen on
            (a tuning split with masks). The images scored that are not in
            it form the report split: ``report['tuned']`` holds the
            threshold best on the tuning split and the seed mIoU it gives
            on the report split, beside the best threshold of the report
            split itself (an oracle, tuned on the masks it is scored on).
    """
    if thresholds is None:
        thresholds = default_thresholds().tolist()
    if not attention_dir and not label_dir:
        raise ValueError('give --attention-dir, --label-dir or both')
    if oracle and not attention_dir:
        raise ValueError('--oracle needs --attention-dir')
    for flag, folder in (('--attention-dir', attention_dir),
                         ('--label-dir', label_dir),
                         ('--gt-dir', gt_dir)):
        if folder and not osp.isdir(folder):
            raise FileNotFoundError(f'{flag}: {folder} is not a folder')
    report = {}
    lines = []
    classes = read_classes(classes) if classes else \
        load_classes(attention_dir or label_dir)
    report['classes'] = classes
    class_names = ['background', *classes]
    m = len(classes)
    if attention_dir:
        names = names_of(attention_dir, '.npz', split)
        seeds = SeedEvaluator(thresholds, m + 1)
        tune_names = set(read_names(tune_split)) if tune_split else None
        # the tuning split and the report split, each scored on its own
        parts = None if tune_names is None else {
            'tune': SeedEvaluator(thresholds, m + 1),
            'report': SeedEvaluator(thresholds, m + 1)}
        low, high = zone_thresholds
        zones = np.zeros(6, np.int64)
        bar = ProgressBar(len(names), file=sys.stdout)
        for name in names:
            ids, att = load_attention(
                osp.join(attention_dir, name + '.npz'), m)
            gt_path = osp.join(gt_dir, name + '.png')
            gt = load_label_png(gt_path)
            try:
                seeds.add(att, ids, gt,
                          load_context(context_dir, name))
                if parts is not None:
                    part = 'tune' if name in tune_names else 'report'
                    parts[part].add(att, ids, gt)
            except ValueError as err:
                raise ValueError(f'{gt_path}: {err}') from None
            zones += zone_counts(stored_zones(att, low, high), gt)
            bar.update()
        print()
        res = seeds.results()
        report['seeds'] = res
        if parts is not None:
            report['tuned'] = tuned_threshold(parts['tune'],
                                              parts['report'])
            t = report['tuned']
            lines.append(
                f'seed threshold tuned on {t["tune_images"]} images: '
                f'{t["threshold"]:.2f}, seed mIoU {t["mIoU"]:.2f} on the '
                f'other {t["report_images"]} (their own best threshold '
                f'{t["oracle_threshold"]:.2f}: {t["oracle_mIoU"]:.2f}, an '
                'oracle)')
        lines.append('seed mIoU by background threshold:')
        lines.append('  '.join(f'{t:.2f}:{m:.1f}' for t, m in zip(
            res['thresholds'], res['mIoU_per_threshold'])))
        edge = ' (at the edge of the sweep: widen --thresholds)' \
            if res['best_at_edge'] else ''
        lines.append(f'seed PxAP {res["pxap"]:.2f} (threshold-free: the '
                     'maps\' pixel average precision, foreground against '
                     'background)')
        lines.append(f'seed mIoU {res["best"]["mIoU"]:.2f} at best '
                     f'threshold {res["best_threshold"]:.2f}{edge}; '
                     f'background spread '
                     f'{res["best"]["background_spread"]:.2f}%')
        if 'context_spread' in res:
            lines.append(f'context spread of the seeds at the best '
                         f'threshold: {res["context_spread"]:.2f}% of '
                         'the context pixels labelled foreground')
        report['zones'] = dict(zone_scores(zones), low=low, high=high)
        z = report['zones']
        lines.append(
            f'zones of the stored maps (< {low} background, >= {high} '
            f'erased): background zone recall {z["bg_recall"]:.1f}%, '
            f'precision {z["bg_precision"]:.1f}%; erased zone recall '
            f'{z["erased_recall"]:.1f}%, precision '
            f'{z["erased_precision"]:.1f}%')
        lines += class_table(res['best'], 'seeds at the best threshold:',
                             class_names)
        if oracle:
            report['oracle'] = oracle_seeds(attention_dir, gt_dir,
                                            names, m, res['best_threshold'])
            o = report['oracle']
            lines.append(
                f'confident seeds, no CRF, 255 as background: mask-tuned '
                f'thresholds {o["fg_thr"]:.2f} / {o["bg_thr"]:.2f} (oracle) '
                f'{o["mIoU_ignore_as_background"]:.2f}; auto '
                f'{o["auto_mIoU_ignore_as_background"]:.2f}')
            if parts is not None:
                # the same thresholds from the tuning split, scored on the
                # report split
                report['oracle_tuned'] = oracle_seeds(
                    attention_dir, gt_dir,
                    [n for n in names if n not in tune_names], m,
                    report['tuned']['threshold'])
                o = report['oracle_tuned']
                lines.append(
                    f'confident seeds at thresholds tuned on the tuning '
                    f'split, {o["fg_thr"]:.2f} / {o["bg_thr"]:.2f}, on the '
                    f'report split: {o["mIoU_ignore_as_background"]:.2f}; '
                    f'auto {o["auto_mIoU_ignore_as_background"]:.2f}')
    if label_dir:
        names = names_of(label_dir, '.png', split)
        labels = LabelEvaluator(m + 1)
        for name in names:
            gt_path = osp.join(gt_dir, name + '.png')
            label_path = osp.join(label_dir, name + '.png')
            try:
                labels.add(load_label_png(label_path),
                           load_label_png(gt_path),
                           load_context(context_dir, name))
            except ValueError as err:
                raise ValueError(f'{gt_path} / {label_path}: {err}'
                                 ) from None
        res = labels.results()
        report['labels'] = res
        lines.append(f'proxy-label mIoU {res["mIoU"]:.2f} over '
                     f'{res["images"]} images; ignored '
                     f'{res["ignored_fraction"]:.2f}% of pixels '
                     f'(mIoU {res["mIoU_ignore_as_background"]:.2f} '
                     'with them counted as background); background '
                     f'spread {res["background_spread"]:.2f}%')
        if 'context_spread' in res:
            lines.append(f'context spread of the proxy labels: '
                         f'{res["context_spread"]:.2f}%')
        lines += class_table(res, 'proxy labels:', class_names)
    print('\n'.join(lines))
    out = out or osp.join(attention_dir or label_dir,
                               'seed_eval.json')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    report = to_jsonable(report)
    write_json(out, report)
    print(f'written {out}')
    return report
