"""The reports of the main job (``report.json``, ``report.md``) and of
``--compare`` (``compare.json``, ``compare.md``)."""
from __future__ import annotations

import os.path as osp
from typing import Dict, Mapping, Sequence

from ..apis.training import val_history
from ..fileio import write_json, write_text
from ..visualization.report_tables import compare_lines, report_lines
from .context import Context
from .expected import FLOOR, expected_for
from .stages import STAGES, Stage, label_free_metrics, read_quality
from .state import PipelineState


def report_timings(state: PipelineState) -> Dict[str, float]:
    """Times per unit of work (not metrics: they differ between runs of the
    same job): the refinement's seconds per image."""
    timings: Dict[str, float] = {}
    refine = state['refine'] if 'refine' in state else {}
    if refine.get('files') and refine['files'][2] and \
            'skipped' not in refine:
        timings['refinement seconds per image'] = \
            refine['seconds'] / refine['files'][2]
    return timings


def note(ctx: Context) -> str:
    return 'toy-set figures' if not ctx.data_root else ''


def report_metrics(state: PipelineState,
                   stages: Sequence[Stage] = STAGES) -> Dict[str, object]:
    """The stages' metrics in one flat dict, in pipeline order."""
    metrics: Dict[str, object] = {}
    for stage in stages:
        metrics.update(state[stage.name].get('metrics', {}))
    return metrics


def write_report(ctx: Context, state: PipelineState, preset: str,
                 stages: Sequence[Stage] = STAGES) -> dict:
    """Write, and print, the seconds of each stage and the metrics."""
    metrics = report_metrics(state, stages)
    skipped = {s.name: state[s.name]['skipped'] for s in stages
               if 'skipped' in state[s.name]}
    labels = state['labels'].get('method') if 'labels' in state else None
    report = dict(data_root=ctx.data_dir, layout=ctx.layout, preset=preset,
                  seconds=sum(state[s.name]['seconds'] for s in stages),
                  classes=list(ctx.classes) if ctx.classes else None,
                  proxy_labels=labels, stages=state.entries,
                  metrics=metrics, timings=report_timings(state),
                  skipped=skipped, note=note(ctx))
    expected = expected_for(ctx, preset, metrics)
    if expected is not None:
        report['expected'] = expected
    if 'quality' in state and 'skipped' not in state['quality']:
        quality = read_quality(ctx)
        # beside the metrics: the thresholds tuned on the masks, and (where
        # there is one) tuned on the tuning split instead
        if quality.get('oracle') is not None:
            report['oracle'] = quality['oracle']
            if quality.get('oracle_tuned') is not None:
                report['oracle_tuned'] = quality['oracle_tuned']
    held_out = state['test_split'].get('test_metrics') \
        if 'test_split' in state else None
    if held_out:  # the held-out split, scored last
        report['test_metrics'] = held_out
    write_json(osp.join(ctx.work_dir, 'report.json'), report, indent=1)
    lines = report_lines(report, [s.name for s in stages], FLOOR)
    write_text(osp.join(ctx.work_dir, 'report.md'), '\n'.join(lines) + '\n')
    from ..visualization.report_page import write_report_page
    page, _ = write_report_page(ctx.out_dir, report)
    lines.append(f'Report page with plots: {page}')
    print('\n'.join(lines))
    print(f'report: {osp.join(ctx.work_dir, "report.md")}; gallery: '
          f'{osp.join(ctx.work_dir, "gallery", "index.md")}')
    return report


def compare_row(ctx: Context, done: Mapping[str, dict],
                seconds: float) -> dict:
    """One row of the comparison from the finished chain's outputs (with
    ``--val-interval``, also the training's validation passes, ``history``).
    """
    q = read_quality(ctx)
    test = done['attention_test']['metrics']
    history = {} if ctx.val_interval is None else dict(
        history=val_history(ctx.path('attention')))
    if 'refined_quality' in done:  # the mode's labels refined
        refined = done['refined_quality']['metrics']
        history.update(
            refined_label_mIoU=refined['refined-label mIoU'],
            refined_label_mIoU_bg=refined[
                'refined-label mIoU (255 as background)'],
            label_mIoU_bg=q['labels'].get('mIoU_ignore_as_background'))
    return dict(
        seconds=seconds, mAP=test.get('cls/mAP'),
        seed_mIoU=q['seeds']['best']['mIoU'],
        best_thr=q['seeds']['best_threshold'],
        at_edge=q['seeds']['best_at_edge'],
        sweep=[min(q['seeds']['thresholds']), max(q['seeds']['thresholds'])],
        label_mIoU=q['labels']['mIoU'],
        context_spread=q['seeds'].get('context_spread'),
        bg_zone_recall=test.get('zone/bg_recall'),
        bg_zone=test.get('zone/bg_zone'),
        context_in_bg_zone=test.get('zone/context_in_bg'),
        pxap=q['seeds'].get('pxap'),
        **({'seed_mIoU_tuned': q['tuned']['mIoU'],
            'tuned_thr': q['tuned']['threshold'],
            'seed_mIoU_report_oracle': q['tuned']['oracle_mIoU']}
           if 'tuned' in q else {}),
        **(label_free_row(ctx) if ctx.label_free else {}), **history)


def label_free_row(ctx: Context) -> dict:
    """The label-free seeds of a compare row (``--label-free``)."""
    m = label_free_metrics(ctx)
    return dict(seed_mIoU_label_free=m['seed mIoU (label-free)'],
                pxap_label_free=m['seed PxAP (label-free)'],
                label_f1=m['label-free label F1'])


def write_compare(ctx: Context, rows: Sequence[tuple], modes: Sequence[str],
                  seeds: Sequence[int]) -> dict:
    """Write, and print, ``compare.md`` / ``compare.json`` from
    ``(mode, seed, row)`` tuples."""
    lines = compare_lines(rows, modes, seeds)
    result = dict(note=note(ctx), rows=[dict(mode=m, seed=sd, **r)
                                        for m, sd, r in rows])
    write_json(osp.join(ctx.work_dir, 'compare.json'), result, indent=1)
    write_text(osp.join(ctx.work_dir, 'compare.md'), '\n'.join(lines) + '\n')
    from ..visualization.report_page import write_compare_page
    page, _ = write_compare_page(
        ctx.work_dir, rows,
        {(m, sd): ctx.variant(m, sd).path('quality.json')
         for m, sd, _ in rows}, lines)
    print('\n'.join(lines))
    print(f'written {osp.join(ctx.work_dir, "compare.md")} and {page}')
    return result
