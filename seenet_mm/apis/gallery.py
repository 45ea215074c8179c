"""A picture gallery of a run: image | M_A | M_B | fused | proxy label | GT:
:func:`make_gallery` (rows of given images), :func:`write_gallery` (of a
checkpoint's attention folder; ``tools/make_gallery.py`` calls it).

    python tools/make_gallery.py CONFIG CKPT --attention-dir ATT
        [--label-dir LABELS] [--data-root ROOT] [--gt-dir MASKS]
        [--split FILE] [--num 12] [--out-dir DIR] [--cfg-options K=V ...]

Writes DIR/<name>.png rows and DIR/index.md + index.html (default DIR:
ATT/../gallery). M_A and M_B come from one forward pass (no flip); "fused"
is the attention file used downstream (max over the image's classes).
"""
from __future__ import annotations

import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence

import mmcv
import numpy as np

from ..attention_codec import load_attention
from ..fileio import load_label_png, write_image, write_text
from ..metainfo import VOC_CLASSES
from ..visualization import AttentionVisualizer
from ..cli import load_config
from .attention import AttentionInferencer, init_attention_model
from .image_list import image_split, voc_root_of

COLUMNS = ('image', 'M_A', 'M_B', 'fused', 'proxy label', 'ground truth')
REFINED_COLUMNS = ('refined label', 'boundary map')


def make_gallery(inferencer: AttentionInferencer, infos: Sequence[dict],
                 attention_dir: str, out_dir: str,
                 label_dir: Optional[str] = None,
                 gt_dir: Optional[str] = None,
                 class_names: Sequence[str] = VOC_CLASSES,
                 visualizer: Optional[AttentionVisualizer] = None,
                 refined_dir: Optional[str] = None,
                 boundary_dir: Optional[str] = None) -> List[dict]:
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
        refined_dir, boundary_dir: refined labels and boundary maps
            (``tools/refine_labels.py --out-dir``, ``--boundary-out``):
            with either, two more panels.

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

        refined = None
        if refined_dir or boundary_dir:
            boundary = optional_png(boundary_dir)
            refined = (optional_png(refined_dir), None if boundary is None
                       else boundary.astype(np.float32) / 255)
        row = vis.draw_gallery_row(mmcv.bgr2rgb(img), maps['M_A'],
                                   maps['M_B'], fused.max(0),
                                   optional_png(label_dir),
                                   optional_png(gt_dir), refined)
        write_image(osp.join(out_dir, name + '.png'), row)
        entries.append(dict(name=name, file=name + '.png',
                            classes=classes.tolist()))
    columns = COLUMNS + (REFINED_COLUMNS if refined_dir or boundary_dir
                         else ())
    write_index(out_dir, entries, 'SeeNet attention gallery', class_names,
                columns)
    return entries


def write_index(out_dir: str, entries: List[dict], title: str,
                class_names: Sequence[str] = VOC_CLASSES,
                columns: Sequence[str] = COLUMNS) -> None:
    """``index.md`` and ``index.html`` listing the rows."""
    header = ' | '.join(columns)
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


def write_gallery(config: str, checkpoint: str, attention_dir: str, *,
                  label_dir: Optional[str] = None,
                  refined_dir: Optional[str] = None,
                  boundary_dir: Optional[str] = None,
                  data_root: Optional[str] = None,
                  gt_dir: Optional[str] = None,
                  split: Optional[str] = None, num: int = 12,
                  size: Optional[int] = None, out_dir: Optional[str] = None,
                  cfg_options: Optional[Dict[str, Any]] = None
                  ) -> List[dict]:
    """The gallery of a checkpoint's attention files: the first ``num``
    images of the split that have one, each row image | M_A | M_B | fused
    | proxy label | ground truth (:func:`make_gallery`); returns its
    entries.

    Args:
        config, checkpoint: the attention network (M_A and M_B are
            recomputed at ``size``).
        attention_dir: the attention files (the fused maps).
        label_dir: proxy labels; refined_dir: refined labels (a panel
            after the ground truth); boundary_dir: boundary maps of
            ``refine_labels(boundary_out=...)`` (a panel).
        data_root: the dataset root (default: the config's).
        gt_dir: the masks (default: ROOT/SegmentationClass, else
            ROOT/masks).
        split: the split's list or JSON (default: the config's train set).
        num: rows.
        size: the test size of M_A, M_B (default: the first of
            ``model.test_cfg.sizes``).
        out_dir: default: ``gallery`` beside the attention folder.
        cfg_options: config keys to override (e.g. ``model.num_classes``).
    """
    cfg = load_config(config, cfg_options, None, 'none')
    out_dir = out_dir or osp.join(
        osp.dirname(osp.abspath(attention_dir)), 'gallery')
    model = init_attention_model(cfg, checkpoint)
    inferencer = AttentionInferencer(
        model, sizes=None if size is None else [size])
    root = voc_root_of(cfg, data_root)
    classes, infos = image_split(cfg, split, data_root)
    infos = [i for i in infos
             if osp.isfile(osp.join(attention_dir,
                                    i['img_id'] + '.npz'))][:num]
    gt_dir = gt_dir or next(
        (d for d in (osp.join(root, 'SegmentationClass'),
                     osp.join(root, 'masks')) if osp.isdir(d)), None)
    entries = make_gallery(inferencer, infos, attention_dir, out_dir,
                           label_dir=label_dir, gt_dir=gt_dir,
                           refined_dir=refined_dir,
                           boundary_dir=boundary_dir,
                           class_names=['background', *classes])
    print(f'gallery of {len(entries)} images: {osp.join(out_dir, "index.md")}')
    return entries
