"""``report.html``: the main job's report as one self-contained page: the
metrics with their expected figures, the stage times, the seed mIoU over
the background threshold, the per-class scores of the seeds, the proxy
labels and the segmentation, the training curves and the gallery. The plots are drawn with matplotlib and embedded
as PNG data URIs, so the file opens anywhere without its work dir."""
from __future__ import annotations

import base64
import glob
import html
import io
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from ..fileio import write_text

# the training runs whose curves are drawn: (work dir, title)
TRAININGS = (('attention', 'attention network'),
             ('affinity', 'affinity network'),
             ('segmentation', 'segmentation'))
GALLERY_ROWS = 4


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', dpi=90, bbox_inches='tight')
    import matplotlib.pyplot as plt
    plt.close(fig)
    return buffer.getvalue()


def _figure(width: float = 6.0, height: float = 3.0):
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt
    return plt.subplots(figsize=(width, height))


def stage_times_plot(stages: Dict[str, dict]) -> Optional[bytes]:
    """Horizontal bars of each stage's seconds."""
    rows = [(name, info['seconds']) for name, info in stages.items()
            if isinstance(info, dict) and 'seconds' in info]
    if not rows:
        return None
    fig, ax = _figure(6, 0.3 * len(rows) + 0.8)
    ax.barh([n for n, _ in rows][::-1], [s for _, s in rows][::-1],
            color='#4c72b0')
    ax.set_xlabel('seconds')
    return _png(fig)


def threshold_plot(seeds: dict, tuned: Optional[dict]) -> Optional[bytes]:
    """Seed mIoU over the background threshold, the best threshold and,
    where tuned, the threshold chosen on the tuning split."""
    if not seeds.get('thresholds'):
        return None
    fig, ax = _figure()
    ax.plot(seeds['thresholds'], seeds['mIoU_per_threshold'], 'o-',
            label='seed mIoU (all scored images)')
    ax.axvline(seeds['best_threshold'], color='#c44e52', ls='--',
               label=f'best {seeds["best_threshold"]:.2f} (oracle)')
    if tuned:
        ax.axvline(tuned['threshold'], color='#55a868', ls=':',
                   label=f'tuned {tuned["threshold"]:.2f}')
    ax.set_xlabel('background threshold')
    ax.set_ylabel('mIoU')
    ax.legend(fontsize=8)
    return _png(fig)


def per_class_plot(scores: dict, classes: Sequence[str]
                   ) -> Optional[bytes]:
    """Per class: IoU, precision, recall and the false positives' share
    of the errors (over-activation near 100, under-activation near 0)."""
    iou = scores.get('IoU')
    if iou is None:
        return None
    names = ['background', *classes][:len(iou)]

    def known(v) -> bool:  # quality.json stores NaN as null
        return v is not None and v == v

    keep = [i for i, v in enumerate(iou) if known(v)]
    if not keep:
        return None
    import numpy as np
    x = np.arange(len(keep))
    fig, ax = _figure(max(6.0, 0.7 * len(keep)), 3.2)
    bars = [(key, label) for key, label in (
        ('IoU', 'IoU'), ('precision', 'precision'), ('recall', 'recall'),
        ('fp_share', 'false positives % of errors')) if scores.get(key)]
    width = 0.8 / len(bars)
    for k, (key, label) in enumerate(bars):
        values = scores[key]
        ax.bar(x - 0.4 + width * (k + 0.5),
               [values[i] if known(values[i]) else 0 for i in keep], width,
               label=label)
    ax.set_xticks(x)
    ax.set_xticklabels([names[i] for i in keep], rotation=45, ha='right',
                       fontsize=8)
    ax.set_ylim(0, 100)
    # above the axes: the bars reach 100
    ax.legend(fontsize=7, ncol=len(bars), loc='lower center',
              bbox_to_anchor=(0.5, 1.0), frameon=False)
    return _png(fig)


def read_scalars(work_dir: str) -> List[dict]:
    """The logged scalars of mmengine's last run in ``work_dir``
    (``<timestamp>/vis_data/scalars.json``, one JSON object a line)."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        return []
    with open(files[-1]) as f:
        return [json.loads(line) for line in f if line.strip()]


def training_plot(entries: List[dict], title: str) -> Optional[bytes]:
    """The training losses over the iterations."""
    rows = [e for e in entries if 'iter' in e and 'loss' in e]
    if not rows:
        return None
    fig, ax = _figure()
    keys = sorted({k for e in rows for k in e
                   if k.startswith('loss') and isinstance(e[k], (int,
                                                                 float))})
    for key in keys:
        ax.plot([e['iter'] for e in rows if key in e],
                [e[key] for e in rows if key in e], label=key)
    ax.set_title(title)
    ax.set_xlabel('iteration')
    ax.legend(fontsize=8)
    return _png(fig)


def _img(data: bytes, alt: str) -> str:
    return (f'<img alt="{html.escape(alt)}" src="data:image/png;base64,'
            f'{base64.b64encode(data).decode("ascii")}">')


def metrics_table(metrics: Dict[str, object],
                  expected: Optional[dict]) -> str:
    rows = ['<table><tr><th>metric</th><th>value</th><th>expected '
            '(mean ± std)</th></tr>']
    for key, value in metrics.items():
        shown = f'{value:.2f}' if isinstance(value, float) else str(value)
        exp = (expected or {}).get(key)
        cell = '' if not exp else (
            f'{exp["mean"]} ± {exp["std"]}' +
            ('' if exp.get('within', True) else ' <b>(outside)</b>'))
        rows.append(f'<tr><td>{html.escape(key)}</td><td>{shown}</td>'
                    f'<td>{cell}</td></tr>')
    rows.append('</table>')
    return '\n'.join(rows)


def write_report_page(out_dir: str, report: dict) -> Tuple[str, List[str]]:
    """Write ``out_dir/report.html`` from ``report`` (``report.json``'s
    content) and the stages' files in ``out_dir``; returns its path and
    the titles of the plots drawn."""
    sections: List[str] = []
    drawn: List[str] = []

    def plot(title: str, data: Optional[bytes]) -> None:
        if data is not None:
            sections.append(f'<h2>{html.escape(title)}</h2>\n'
                            + _img(data, title))
            drawn.append(title)

    quality = osp.join(out_dir, 'quality.json')
    seeds, tuned, classes = {}, None, report.get('classes') or []
    labels: dict = {}
    if osp.isfile(quality):
        with open(quality) as f:
            q = json.load(f)
        seeds, tuned = q.get('seeds', {}), q.get('tuned')
        labels = q.get('labels', {})
        classes = q.get('classes', classes)
    plot('Stage times', stage_times_plot(
        {k: v for k, v in report.get('stages', {}).items()
         if k != 'settings'}))
    if seeds:
        plot('Seed mIoU over the background threshold',
             threshold_plot(seeds, tuned))
        plot('Seeds per class (best threshold)',
             per_class_plot(seeds.get('best', {}), classes))
    if labels:
        plot('Proxy labels per class', per_class_plot(labels, classes))
    segmentation = osp.join(out_dir, 'segmentation_test', 'quality.json')
    if osp.isfile(segmentation):
        with open(segmentation) as f:
            plot('Segmentation per class (val, single scale)',
                 per_class_plot(json.load(f).get('labels', {}), classes))
    for folder, title in TRAININGS:
        plot(f'Training: {title}', training_plot(
            read_scalars(osp.join(out_dir, folder)), title))
    gallery = sorted(glob.glob(osp.join(out_dir, 'gallery', '*.png')))
    rows = []
    for path in gallery[:GALLERY_ROWS]:
        with open(path, 'rb') as f:
            rows.append(_img(f.read(), osp.basename(path)))
    if rows:
        sections.append('<h2>Gallery</h2>\n<p>image | M_A | M_B | fused | '
                        'proxy label | ground truth</p>\n' +
                        '<br>\n'.join(rows))
    path = osp.join(out_dir, 'report.html')
    write_text(path, _page(
        'seenet-mm report',
        f'<p>{html.escape(str(report.get("data_root", "")))}; preset '
        f'{html.escape(str(report.get("preset", "")))}; '
        f'{report.get("seconds", 0):.0f} s of stages</p>\n<h2>Metrics</h2>\n'
        + metrics_table(report.get('metrics', {}), report.get('expected')),
        sections))
    return path, drawn


def _page(title: str, top: str, sections: Sequence[str]) -> str:
    """One self-contained HTML page: ``top`` (HTML) and the sections."""
    return '\n'.join([
        '<!DOCTYPE html>', '<html><head><meta charset="utf-8">',
        f'<title>{html.escape(title)}</title>',
        '<style>body{font-family:sans-serif;max-width:1100px;margin:auto}'
        'table{border-collapse:collapse}td,th{border:1px solid #ccc;'
        'padding:2px 8px}img{max-width:100%}pre{overflow-x:auto}'
        '</style></head><body>',
        f'<h1>{html.escape(title)}</h1>', top, *sections,
        '</body></html>']) + '\n'


# ----------------------------------------------------------------------
# --compare: compare.html
# ----------------------------------------------------------------------
def _mean_std(values: Sequence[float]) -> Tuple[float, float]:
    import numpy as np
    v = np.asarray(values, np.float64)
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0


def compare_threshold_plot(curves: Dict[str, List[dict]]
                           ) -> Optional[bytes]:
    """Per mode: the seed mIoU over the background threshold, the mean
    over seeds with a band of one standard deviation."""
    import numpy as np
    drawn = False
    fig, ax = _figure()
    for mode, seeds in curves.items():
        runs = [s for s in seeds if s.get('thresholds')
                and s.get('mIoU_per_threshold')]
        if not runs or any(r['thresholds'] != runs[0]['thresholds']
                           for r in runs):
            continue
        x = np.asarray(runs[0]['thresholds'])
        y = np.asarray([r['mIoU_per_threshold'] for r in runs], np.float64)
        mean = y.mean(0)
        std = y.std(0, ddof=1) if len(runs) > 1 else np.zeros_like(mean)
        ax.plot(x, mean, 'o-', ms=3, label=f'{mode} ({len(runs)} seeds)')
        ax.fill_between(x, mean - std, mean + std, alpha=0.2)
        drawn = True
    if not drawn:
        import matplotlib.pyplot as plt
        plt.close(fig)
        return None
    ax.set_xlabel('background threshold')
    ax.set_ylabel('seed mIoU')
    ax.legend(fontsize=8)
    return _png(fig)


# (compare.json key, label) of the bars per mode
COMPARE_BARS = (('seed_mIoU', 'seed mIoU (best)'),
                ('seed_mIoU_tuned', 'seed mIoU (tuned)'),
                ('pxap', 'seed PxAP'),
                ('seed_mIoU_label_free', 'seed mIoU (label-free)'),
                ('label_mIoU', 'proxy-label mIoU'))


def compare_bars_plot(rows: Sequence[tuple]) -> Optional[bytes]:
    """Grouped bars per mode, mean over seeds with error bars of one
    standard deviation, for each score of :data:`COMPARE_BARS` that every
    run has."""
    import numpy as np
    modes = list(dict.fromkeys(m for m, _, _ in rows))
    keys = [(k, label) for k, label in COMPARE_BARS
            if all(r.get(k) is not None for _, _, r in rows)]
    if not modes or not keys:
        return None
    fig, ax = _figure(max(6.0, 1.5 * len(keys)), 3.2)
    x = np.arange(len(keys))
    width = 0.8 / len(modes)
    for j, mode in enumerate(modes):
        stats = [_mean_std([r[k] for m, _, r in rows if m == mode])
                 for k, _ in keys]
        ax.bar(x - 0.4 + width * (j + 0.5), [m for m, _ in stats], width,
               yerr=[s for _, s in stats], capsize=3, label=mode)
    ax.set_xticks(x)
    ax.set_xticklabels([label for _, label in keys], rotation=20,
                       ha='right', fontsize=8)
    ax.legend(fontsize=8)
    return _png(fig)


def compare_per_class_plot(per_mode: Dict[str, List[dict]],
                           classes: Sequence[str]) -> Optional[bytes]:
    """Per class: each mode's seed IoU at its best threshold, the mean
    over seeds."""
    import numpy as np
    names = ['background', *classes]
    means = {}
    for mode, scores in per_mode.items():
        ious = [s.get('IoU') for s in scores if s.get('IoU')]
        if ious:
            n = min(len(iou) for iou in ious)
            v = np.asarray([[np.nan if x is None else x for x in iou[:n]]
                            for iou in ious], np.float64)
            seen = np.isfinite(v)  # a class no run saw stays at 0
            means[mode] = np.where(seen, v, 0).sum(0) / np.maximum(
                seen.sum(0), 1)
    if not means:
        return None
    n = min(len(v) for v in means.values())
    x = np.arange(n)
    fig, ax = _figure(max(6.0, 0.6 * n * len(means) / 2), 3.2)
    width = 0.8 / len(means)
    for j, (mode, v) in enumerate(means.items()):
        ax.bar(x - 0.4 + width * (j + 0.5), v[:n], width, label=mode)
    ax.set_xticks(x)
    ax.set_xticklabels(names[:n], rotation=45, ha='right', fontsize=8)
    ax.set_ylabel('seed IoU')
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    return _png(fig)


def write_compare_page(work_dir: str, rows: Sequence[tuple],
                       qualities: Dict[Tuple[str, int], str],
                       markdown: Sequence[str]) -> Tuple[str, List[str]]:
    """Write ``work_dir/compare.html``: ``compare.md``'s tables
    (``markdown``), the seed mIoU over the threshold per mode, the scores
    per mode with their spread over seeds, and the seeds per class per
    mode. ``rows``: ``(mode, seed, compare row)``; ``qualities``: each
    run's ``quality.json`` by ``(mode, seed)``. Returns the page's path
    and the titles of the plots drawn."""
    curves: Dict[str, List[dict]] = {}
    per_class: Dict[str, List[dict]] = {}
    classes: List[str] = []
    for (mode, seed), path in qualities.items():
        if not osp.isfile(path):
            continue
        with open(path) as f:
            q = json.load(f)
        classes = q.get('classes', classes)
        curves.setdefault(mode, []).append(q.get('seeds', {}))
        per_class.setdefault(mode, []).append(
            q.get('seeds', {}).get('best', {}))
    sections: List[str] = []
    drawn: List[str] = []
    for title, data in (
            ('Seed mIoU over the background threshold, per mode',
             compare_threshold_plot(curves)),
            ('Scores per mode (mean and standard deviation over seeds)',
             compare_bars_plot(rows)),
            ('Seeds per class, per mode (best threshold, mean over seeds)',
             compare_per_class_plot(per_class, classes))):
        if data is not None:
            sections.append(f'<h2>{html.escape(title)}</h2>\n'
                            + _img(data, title))
            drawn.append(title)
    path = osp.join(work_dir, 'compare.html')
    write_text(path, _page('seenet-mm --compare', '<pre>' + html.escape(
        '\n'.join(markdown)) + '</pre>', sections))
    return path, drawn
