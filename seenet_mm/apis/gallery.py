"""A picture gallery of a run: image | M_A | M_B | fused | proxy label | GT."""
from __future__ import annotations

import os
import os.path as osp
from typing import List, Optional, Sequence

import mmcv

from ..fileio import load_attention, load_label_png, write_image, write_text
from ..metainfo import VOC_CLASSES
from ..visualization import AttentionVisualizer
from .attention import AttentionInferencer

COLUMNS = ('image', 'M_A', 'M_B', 'fused', 'proxy label', 'ground truth')


def make_gallery(inferencer: AttentionInferencer, infos: Sequence[dict],
                 attention_dir: str, out_dir: str,
                 label_dir: Optional[str] = None,
                 gt_dir: Optional[str] = None,
                 class_names: Sequence[str] = VOC_CLASSES,
                 visualizer: Optional[AttentionVisualizer] = None
                 ) -> List[dict]:
    """Write one row per image and ``index.md`` / ``index.html``.

    M_A and M_B come from one forward pass (no flip) at the first test
    size; "fused" is the attention file used downstream (max over the
    image's classes).

    Args:
        inferencer: the attention inferencer of the model.
        infos: data infos (``img_path``, ``img_id``) of the images to show.
        attention_dir: ``<name>.npz`` attention files.
        out_dir: where ``<name>.png`` and the index go.
        label_dir: proxy labels ``<name>.png`` (optional).
        gt_dir: ground-truth masks ``<name>.png`` (optional).
        class_names: names of the ids, the background first (VOC's
            default; own data: ``('background', *metainfo.classes)``).
        visualizer: the drawing visualizer (default: a new one).

    Returns:
        list of dict: the rows (``name``, ``file``, ``classes``).
    """
    vis = visualizer or AttentionVisualizer(name='attention_gallery', sep=3)
    os.makedirs(out_dir, exist_ok=True)
    entries = []
    for info in infos:
        name = info['img_id']
        img = mmcv.imread(info['img_path'])
        classes, fused = load_attention(
            osp.join(attention_dir, name + '.npz'), len(class_names) - 1)
        maps = inferencer.branch_maps(img, classes.tolist())

        def optional_png(folder: Optional[str]):
            path = osp.join(folder, name + '.png') if folder else None
            return load_label_png(path) if path and osp.isfile(path) \
                else None

        row = vis.draw_gallery_row(mmcv.bgr2rgb(img), maps['M_A'],
                                   maps['M_B'], fused.max(0),
                                   optional_png(label_dir),
                                   optional_png(gt_dir))
        write_image(osp.join(out_dir, name + '.png'), row)
        entries.append(dict(name=name, file=name + '.png',
                            classes=classes.tolist()))
    write_index(out_dir, entries, 'SeeNet attention gallery', class_names)
    return entries


def write_index(out_dir: str, entries: List[dict], title: str,
                class_names: Sequence[str] = VOC_CLASSES) -> None:
    """``index.md`` and ``index.html`` listing the rows."""
    header = ' | '.join(COLUMNS)
    md = [f'# {title}', '', f'Each row: {header}.', '']
    html = [f'<html><head><meta charset="utf-8"><title>{title}</title>'
            '</head><body>', f'<h1>{title}</h1>', f'<p>Each row: {header}.'
            '</p>']
    for e in entries:
        names = ', '.join(class_names[c] for c in e['classes'])
        md += [f'## {e["name"]} ({names})', '', f'![{e["name"]}]'
               f'({e["file"]})', '']
        html.append(f'<h3>{e["name"]} ({names})</h3><img src="{e["file"]}">')
    html.append('</body></html>')
    for fname, lines in (('index.md', md), ('index.html', html)):
        write_text(osp.join(out_dir, fname), '\n'.join(lines) + '\n')
