"""The main job's reports as Markdown: ``report.md`` from ``report.json``'s
content (:func:`report_lines`) and ``compare.md`` from the ``--compare``
rows (:func:`compare_lines`). Their HTML pages: :mod:`.report_page`."""
from __future__ import annotations

import statistics
from typing import Dict, List, Mapping, Optional, Sequence

PROXY_METHOD_NAMES = {
    'saliency': 'SeeNet Algorithm 1 (attention + saliency)',
    'threshold': 'attention alone, no saliency (IRN\'s confident seeds: '
                 'thresholds from each image\'s maps, dense CRF, 255 '
                 'between)'}

# the validation metrics that compare.md follows through the training
HISTORY_KEYS = (('seed/mIoU', 'seed mIoU'), ('zone/bg_zone', 'bg zone %'),
                ('zone/bg_recall', 'bg-zone recall %'),
                ('zone/context_in_bg', 'context in bg zone %'),
                ('zone/context_in_potential', 'context in potential zone %'),
                ('zone/context_in_erased', 'context in erased zone %'))


def _fmt(v) -> str:
    return '-' if v is None else f'{v:.1f}'


def metric_table(metrics: Mapping[str, object],
                 expected: Optional[Mapping[str, dict]] = None,
                 floor: float = 2.0) -> List[str]:
    """The metrics as a Markdown table; with ``expected``, a column of the
    expected mean ± std and a line naming the metrics outside their
    tolerance (``max(2 std, floor)``)."""
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
              f'within when at most max(2 std, {floor:g} points) from the '
              'mean. ' + (f'Outside: {", ".join(outside)}.' if outside else
                          'Every metric lies within.')]
    return lines


def report_lines(report: Mapping[str, object], stages: Sequence[str],
                 floor: float = 2.0) -> List[str]:
    """``report.md``: the seconds of each of ``stages``, the metrics (with
    their expected figures), the proxy labels' method, the oracles, the
    held-out split, the skipped stages and the total."""
    entries = report['stages']
    lines = ['| stage | seconds |', '|---|---|']
    lines += [f'| {s} | {entries[s]["seconds"]:.1f}'
              + (' (skipped)' if 'skipped' in entries[s] else '') + ' |'
              for s in stages]
    lines += ['', *metric_table(report['metrics'], report.get('expected'),
                                floor)]
    if report.get('proxy_labels'):
        lines += ['', 'Proxy labels: '
                  f'{PROXY_METHOD_NAMES[report["proxy_labels"]]}.']
    oracle, tuned = report.get('oracle'), report.get('oracle_tuned')
    if oracle is not None:
        lines.append(
            f'Oracle (thresholds tuned on the masks, t* +- 0.10 = '
            f'{oracle["fg_thr"]:.2f} / {oracle["bg_thr"]:.2f}): confident '
            f'seeds without CRF {oracle["mIoU_ignore_as_background"]:.2f} '
            f'mIoU (255 as background), against '
            f'{oracle["auto_mIoU_ignore_as_background"]:.2f} for `auto`.')
    if tuned is not None:
        lines.append(
            f'The same thresholds tuned on the tuning split instead '
            f'({tuned["fg_thr"]:.2f} / {tuned["bg_thr"]:.2f}),'
            f' scored on the other images: '
            f'{tuned["mIoU_ignore_as_background"]:.2f}, against '
            f'{tuned["auto_mIoU_ignore_as_background"]:.2f} for '
            '`auto` on them.')
    if report.get('test_metrics'):
        lines += ['', 'On the held-out test split (nothing chosen on it):',
                  '', *metric_table(report['test_metrics'])]
    lines += [f'Skipped: {name}: {why}'
              for name, why in report['skipped'].items()]
    total = report['seconds']
    lines += ['', f'Total: {total:.0f} s ({int(total // 60)} min '
              f'{total % 60:.0f} s), the stages\' seconds summed (a stage '
              'finished in an earlier run counts with its own seconds).']
    return lines


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

    def gap(r):
        if 'seed_mIoU_tuned' not in r:
            return None
        return r['seed_mIoU_report_oracle'] - r['seed_mIoU_tuned']

    free = any('seed_mIoU_label_free' in r for _, _, r in rows)
    head = ('| mode | {} | seed mIoU, tuned{} | seed mIoU, oracle | '
            'oracle - tuned | seed PxAP |'
            + (' label-free seed mIoU | label F1 |' if free else ''))
    rule = '|---|---|---|---|---|---|' + ('---|---|' if free else '')
    lines = ['', 'Seeds with the threshold chosen on a tuning split (scored '
             'on the other images) against the best threshold of those images '
             '(an oracle), and the threshold-free PxAP'
             + ('; label-free: the maps of the predicted classes, tuned '
                'likewise, and the F1 of those classes' if free else '')
             + ':', '', head.format('seed', ' (thr)'), rule]
    for mode, seed, r in rows:
        thr = f' ({r["tuned_thr"]:.2f})' if 'tuned_thr' in r else ''
        lines.append(f'| {mode} | {seed} | '
                     f'{_fmt(r.get("seed_mIoU_tuned"))}{thr} | '
                     f'{_fmt(r.get("seed_mIoU_report_oracle"))} | '
                     f'{_fmt(gap(r))} | {_fmt(r.get("pxap"))} |'
                     + (f' {_fmt(r.get("seed_mIoU_label_free"))} | '
                        f'{_fmt(r.get("label_f1"))} |' if free else ''))
    if spread:
        def mean_std(values) -> str:
            values = [v for v in values if v is not None]
            if not values:
                return '-'
            std = statistics.stdev(values) if len(values) > 1 else 0.0
            return f'{statistics.fmean(values):.2f} ± {std:.2f}'

        keys = ['seed_mIoU_tuned', 'seed_mIoU_report_oracle', None, 'pxap']
        keys += ['seed_mIoU_label_free', 'label_f1'] if free else []
        lines += ['', head.format('seeds', ''), rule]
        for mode in modes:
            rs = [r for m, _, r in rows if m == mode]
            cells = [mean_std([gap(r) if k is None else r.get(k)
                               for r in rs]) for k in keys]
            lines.append(f'| {mode} | {len(rs)} | ' + ' | '.join(cells)
                         + ' |')
    return lines


def compare_lines(rows: Sequence[tuple], modes: Sequence[str],
                  seeds: Sequence[int]) -> List[str]:
    """``compare.md`` from ``(mode, seed, row)`` tuples: a row per mode and
    seed, the means per mode (several seeds), the tuned seeds, the
    validation passes and the seed sweep."""
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
                     f'{_fmt(r.get("context_spread"))} | '
                     f'{_fmt(r.get("bg_zone_recall"))} '
                     f'({_fmt(r.get("bg_zone"))}) | '
                     f'{_fmt(r.get("context_in_bg_zone"))} | '
                     f'{r["seconds"]:.0f} |' + (
                         f' {_fmt(r.get("label_mIoU_bg"))} | '
                         f'{_fmt(r.get("refined_label_mIoU_bg"))} |'
                         if refined else ''))

    def mean(rs, key) -> str:
        vals = [r.get(key) for r in rs]
        vals = [v for v in vals if v is not None]
        return _fmt(sum(vals) / len(vals) if vals else None)

    if len(seeds) > 1:
        keys = ['seed_mIoU', 'label_mIoU', 'context_spread',
                'bg_zone_recall'] + (['refined_label_mIoU_bg']
                                     if refined else [])
        lines += ['', '| mode | mean seed mIoU | mean proxy-label mIoU | '
                  'mean context spread % | mean background-zone recall % |'
                  + (' mean refined-label mIoU (255 as bg) |'
                     if refined else ''),
                  '|---|---|---|---|---|' + ('---|' if refined else '')]
        for mode in modes:
            rs = [r for m, _, r in rows if m == mode]
            lines.append(f'| {mode} | ' + ' | '.join(mean(rs, k)
                                                      for k in keys) + ' |')
    lines += fair_lines(rows, modes, len(seeds) > 1)
    lines += history_lines(rows, modes)
    sweeps = sorted({tuple(r['sweep']) for _, _, r in rows if 'sweep' in r})
    lines += ['', 'Seed sweep: ' + '; '.join(f'{lo:.2f} ... {hi:.2f}'
                                             for lo, hi in sweeps)]
    return lines


__all__ = ['PROXY_METHOD_NAMES', 'HISTORY_KEYS', 'metric_table',
           'report_lines', 'history_lines', 'fair_lines', 'compare_lines']
