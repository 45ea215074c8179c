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
    ax.legend(fontsize=7, ncol=len(bars))
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
    page = ['<!DOCTYPE html>', '<html><head><meta charset="utf-8">',
            '<title>seenet-mm report</title>',
            '<style>body{font-family:sans-serif;max-width:1100px;margin:auto}'
            'table{border-collapse:collapse}td,th{border:1px solid #ccc;'
            'padding:2px 8px}img{max-width:100%}</style></head><body>',
            '<h1>seenet-mm report</h1>',
            f'<p>{html.escape(str(report.get("data_root", "")))}; preset '
            f'{html.escape(str(report.get("preset", "")))}; '
            f'{report.get("seconds", 0):.0f} s of stages</p>',
            '<h2>Metrics</h2>',
            metrics_table(report.get('metrics', {}), report.get('expected')),
            *sections, '</body></html>']
    path = osp.join(out_dir, 'report.html')
    write_text(path, '\n'.join(page) + '\n')
    return path, drawn
