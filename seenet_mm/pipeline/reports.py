"""The reports of the main job (``report.json``, ``report.md``) and of
``--compare`` (``compare.json``, ``compare.md``)."""
from __future__ import annotations

import glob
import json
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence

from ..fileio import write_json, write_text
from .context import Context
from .expected import FLOOR, expected_for
from .stages import STAGES, Stage, read_quality
from .state import PipelineState

PROXY_METHOD_NAMES = {
    'saliency': 'SeeNet Algorithm 1 (attention + saliency)',
    'threshold': 'attention alone, no saliency (IRN\'s confident seeds: '
                 'thresholds from each image\'s maps, dense CRF, 255 '
                 'between)'}


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


def metric_table(metrics: Mapping[str, object],
                 expected: Optional[Mapping[str, dict]] = None
                 ) -> List[str]:
    """The metrics as a Markdown table; with ``expected``, a column of the
    expected mean ± std and a line naming the metrics outside their
    tolerance."""
    def fmt(v) -> str:
        return f'{v:.2f}' if isinstance(v, float) else f'{v}'

    if not expected:
        return ['| metric | value |', '|---|---|'] + [
            f'| {k} | {fmt(v)} |' for k, v in metrics.items()]
    lines = ['| metric | value | expected (mean ± std over seeds) |',
             '|---|---|---|']
    for k, v in metrics.items():
        e = expected.get(k)
        cell = '' if e is None else f'{e["mean"]:.2f} ± {e["std"]:.2f}' + (
            '' if e['within'] else ' **outside**')
        lines.append(f'| {k} | {fmt(v)} | {cell} |')
    outside = [k for k, e in expected.items() if not e['within']]
    lines += ['', 'Expected figures: configs/toy/metafile.yaml; a run lies '
              f'within when at most max(2 std, {FLOOR:g} points) from the '
              'mean. ' + (f'Outside: {", ".join(outside)}.' if outside else
                          'Every metric lies within.')]
    return lines


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
    oracle = None
    if 'quality' in state and 'skipped' not in state['quality']:
        oracle = read_quality(ctx).get('oracle')
    oracle_tuned = None
    if oracle is not None:  # beside the metrics: tuned on the masks
        report['oracle'] = oracle
        oracle_tuned = read_quality(ctx).get('oracle_tuned')
        if oracle_tuned is not None:  # tuned on the tuning split instead
            report['oracle_tuned'] = oracle_tuned
    held_out = state['test_split'].get('test_metrics') \
        if 'test_split' in state else None
    if held_out:  # the held-out split, scored last
        report['test_metrics'] = held_out
    write_json(osp.join(ctx.work_dir, 'report.json'), report, indent=1)
    lines = ['| stage | seconds |', '|---|---|']
    lines += [f'| {s.name} | {state[s.name]["seconds"]:.1f}'
              + (' (skipped)' if 'skipped' in state[s.name] else '') + ' |'
              for s in stages]
    lines += ['', *metric_table(metrics, expected)]
    if labels:
        lines += ['', f'Proxy labels: {PROXY_METHOD_NAMES[labels]}.']
    if oracle is not None:
        lines.append(
            f'Oracle (thresholds tuned on the masks, t* +- 0.10 = '
            f'{oracle["fg_thr"]:.2f} / {oracle["bg_thr"]:.2f}): confident '
            f'seeds without CRF {oracle["mIoU_ignore_as_background"]:.2f} '
            f'mIoU (255 as background), against '
            f'{oracle["auto_mIoU_ignore_as_background"]:.2f} for `auto`.')
    if oracle_tuned is not None:
        lines.append(
            f'The same thresholds tuned on the tuning split instead '
            f'({oracle_tuned["fg_thr"]:.2f} / {oracle_tuned["bg_thr"]:.2f}),'
            f' scored on the other images: '
            f'{oracle_tuned["mIoU_ignore_as_background"]:.2f}, against '
            f'{oracle_tuned["auto_mIoU_ignore_as_background"]:.2f} for '
            '`auto` on them.')
    if held_out:
        lines += ['', 'On the held-out test split (nothing chosen on it):',
                  '', *metric_table(held_out, None)]
    lines += [f'Skipped: {name}: {why}' for name, why in skipped.items()]
    total = sum(state[s.name]['seconds'] for s in stages)
    lines += ['', f'Total: {total:.0f} s ({int(total // 60)} min '
              f'{total % 60:.0f} s), the stages\' seconds summed (a stage '
              'finished in an earlier run counts with its own seconds).']
    write_text(osp.join(ctx.work_dir, 'report.md'), '\n'.join(lines) + '\n')
    from ..visualization.report_page import write_report_page
    page, _ = write_report_page(ctx.out_dir, report)
    lines.append(f'Report page with plots: {page}')
    print('\n'.join(lines))
    print(f'report: {osp.join(ctx.work_dir, "report.md")}; gallery: '
          f'{osp.join(ctx.work_dir, "gallery", "index.md")}')
    return report


# the validation metrics that compare.md follows through the training
HISTORY_KEYS = (('seed/mIoU', 'seed mIoU'), ('zone/bg_zone', 'bg zone %'),
                ('zone/bg_recall', 'bg-zone recall %'),
                ('zone/context_in_bg', 'context in bg zone %'),
                ('zone/context_in_potential', 'context in potential zone %'),
                ('zone/context_in_erased', 'context in erased zone %'))


def val_history(train_dir: str) -> List[dict]:
    """The validation passes of a training (``--val-interval``), from its
    ``<timestamp>/vis_data/scalars.json`` files: one dict per pass with
    ``iter`` and the metrics (the keys holding a ``/``, as ``seed/mIoU``),
    by iteration; a pass repeated by a resumed run counts once, the later
    one."""
    passes: Dict[int, dict] = {}
    for path in sorted(glob.glob(osp.join(train_dir, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                entry = json.loads(line)
                metrics = {k: v for k, v in entry.items() if '/' in k}
                if metrics and 'step' in entry:
                    passes[int(entry['step'])] = dict(iter=int(entry['step']),
                                                      **metrics)
    return [passes[k] for k in sorted(passes)]


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
    from .stages import _label_free_metrics
    m = _label_free_metrics(ctx)
    return dict(seed_mIoU_label_free=m['seed mIoU (label-free)'],
                pxap_label_free=m['seed PxAP (label-free)'],
                label_f1=m['label-free label F1'])


def history_lines(rows: Sequence[tuple], modes: Sequence[str]) -> List[str]:
    """Markdown: the validation passes during training (rows with a
    ``history``), per mode and iteration, the mean over the seeds."""
    per: Dict[tuple, List[dict]] = {}
    for mode, _, r in rows:
        for entry in r.get('history', ()):
            per.setdefault((mode, entry['iter']), []).append(entry)
    if not per:
        return []
    lines = ['', 'During training (validation passes, mean over the seeds):',
             '', '| mode | iteration | seeds | ' +
             ' | '.join(name for _, name in HISTORY_KEYS) + ' |',
             '|---|---|---|' + '---|' * len(HISTORY_KEYS)]
    for mode in modes:
        for it in sorted(i for m, i in per if m == mode):
            entries = per[(mode, it)]
            cells = []
            for key, _ in HISTORY_KEYS:
                vals = [e[key] for e in entries if e.get(key) is not None]
                cells.append(f'{sum(vals) / len(vals):.1f}' if vals else '-')
            lines.append(f'| {mode} | {it} | {len(entries)} | ' +
                         ' | '.join(cells) + ' |')
    return lines


def fair_lines(rows: Sequence[tuple], modes: Sequence[str],
               spread: bool) -> List[str]:
    """Markdown: per mode and seed, the seed mIoU at the threshold tuned
    on the tuning split and scored on the report split, the report split's
    own best (the oracle) and the gap, and the threshold-free PxAP; with
    several seeds, their mean +- std per mode."""
    if not any('seed_mIoU_tuned' in r or r.get('pxap') is not None
               for _, _, r in rows):
        return []

    def fmt(v) -> str:
        return '-' if v is None else f'{v:.1f}'

    def gap(r):
        if 'seed_mIoU_tuned' not in r:
            return None
        return r['seed_mIoU_report_oracle'] - r['seed_mIoU_tuned']

    free = any('seed_mIoU_label_free' in r for _, _, r in rows)
    lines = ['', 'Seeds with the threshold chosen on a tuning split (scored on '
             'the other images) against the best threshold of those images '
             '(an oracle), and the threshold-free PxAP'
             + ('; label-free: the maps of the predicted classes, tuned '
                'likewise, and the F1 of those classes' if free else '')
             + ':', '',
             '| mode | seed | seed mIoU, tuned (thr) | seed mIoU, oracle | '
             'oracle - tuned | seed PxAP |'
             + (' label-free seed mIoU | label F1 |' if free else ''),
             '|---|---|---|---|---|---|' + ('---|---|' if free else '')]
    for mode, seed, r in rows:
        thr = f' ({r["tuned_thr"]:.2f})' if 'tuned_thr' in r else ''
        lines.append(f'| {mode} | {seed} | '
                     f'{fmt(r.get("seed_mIoU_tuned"))}{thr} | '
                     f'{fmt(r.get("seed_mIoU_report_oracle"))} | '
                     f'{fmt(gap(r))} | {fmt(r.get("pxap"))} |'
                     + (f' {fmt(r.get("seed_mIoU_label_free"))} | '
                        f'{fmt(r.get("label_f1"))} |' if free else ''))
    if spread:
        def mean_std(values) -> str:
            values = [v for v in values if v is not None]
            if not values:
                return '-'
            import statistics
            std = statistics.stdev(values) if len(values) > 1 else 0.0
            return f'{statistics.fmean(values):.2f} ± {std:.2f}'

        lines += ['', '| mode | seeds | seed mIoU, tuned | seed mIoU, oracle | '
                  'oracle - tuned | seed PxAP |'
                  + (' label-free seed mIoU | label F1 |' if free else ''),
                  '|---|---|---|---|---|---|' + ('---|---|' if free else '')]
        for mode in modes:
            rs = [r for m, _, r in rows if m == mode]
            lines.append(
                f'| {mode} | {len(rs)} | '
                f'{mean_std([r.get("seed_mIoU_tuned") for r in rs])} | '
                f'{mean_std([r.get("seed_mIoU_report_oracle") for r in rs])}'
                f' | {mean_std([gap(r) for r in rs])} | '
                f'{mean_std([r.get("pxap") for r in rs])} |'
                + (f' {mean_std([r.get("seed_mIoU_label_free") for r in rs])}'
                   f' | {mean_std([r.get("label_f1") for r in rs])} |'
                   if free else ''))
    return lines


def write_compare(ctx: Context, rows: Sequence[tuple], modes: Sequence[str],
                  seeds: Sequence[int]) -> dict:
    """Write, and print, ``compare.md`` / ``compare.json`` from
    ``(mode, seed, row)`` tuples."""
    def fmt(v) -> str:
        return '-' if v is None else f'{v:.1f}'

    refined = any('refined_label_mIoU' in r for _, _, r in rows)
    # refined labels: both label columns with 255 as background (IRN's
    # protocol), unrefined and refined
    extra = ' proxy-label mIoU (255 as bg) | refined-label mIoU (255 as ' \
        'bg) |' if refined else ''
    lines = ['| mode | seed | val mAP | seed mIoU (best thr) | '
             'proxy-label mIoU | context spread % | background-zone recall '
             '% (zone %) | context in the background zone % | seconds |'
             + extra,
             '|---|---|---|---|---|---|---|---|---|' +
             ('---|---|' if refined else '')]
    for mode, seed, r in rows:
        edge = ', at sweep edge' if r['at_edge'] else ''
        lines.append(f'| {mode} | {seed} | {r["mAP"]:.1f} | '
                     f'{r["seed_mIoU"]:.1f} ({r["best_thr"]:.2f}{edge}) | '
                     f'{r["label_mIoU"]:.1f} | '
                     f'{fmt(r.get("context_spread"))} | '
                     f'{fmt(r.get("bg_zone_recall"))} '
                     f'({fmt(r.get("bg_zone"))}) | '
                     f'{fmt(r.get("context_in_bg_zone"))} | '
                     f'{r["seconds"]:.0f} |' + (
                         f' {fmt(r.get("label_mIoU_bg"))} | '
                         f'{fmt(r.get("refined_label_mIoU_bg"))} |'
                         if refined else ''))

    def mean(rs, key) -> str:
        vals = [r.get(key) for r in rs]
        vals = [v for v in vals if v is not None]
        return fmt(sum(vals) / len(vals) if vals else None)

    if len(seeds) > 1:
        lines += ['', '| mode | mean seed mIoU | mean proxy-label mIoU | '
                  'mean context spread % | mean background-zone recall % |'
                  + (' mean refined-label mIoU (255 as bg) |'
                     if refined else ''),
                  '|---|---|---|---|---|' + ('---|' if refined else '')]
        for mode in modes:
            rs = [r for m, _, r in rows if m == mode]
            lines.append(f'| {mode} | {mean(rs, "seed_mIoU")} | '
                         f'{mean(rs, "label_mIoU")} | '
                         f'{mean(rs, "context_spread")} | '
                         f'{mean(rs, "bg_zone_recall")} |' + (
                             f' {mean(rs, "refined_label_mIoU_bg")} |'
                             if refined else ''))
    lines += fair_lines(rows, modes, len(seeds) > 1)
    lines += history_lines(rows, modes)
    sweeps = sorted({tuple(r['sweep']) for _, _, r in rows if 'sweep' in r})
    lines += ['', 'Seed sweep: ' + '; '.join(f'{lo:.2f} ... {hi:.2f}'
                                             for lo, hi in sweeps)]
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
