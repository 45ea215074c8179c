"""A picture gallery of a run: image | M_A | M_B | fused | proxy label | GT."""
from __future__ import annotations

import os
import os.path as osp
from typing import List, Optional, Sequence

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ..toy.voc import VOC_CLASSES, voc_palette
from .attention import normalize_maps

_PALETTE = np.array(voc_palette(), np.uint8).reshape(256, 3)
COLUMNS = ('image', 'M_A', 'M_B', 'fused', 'proxy label', 'ground truth')


def heatmap(att: np.ndarray) -> np.ndarray:
    """``[H, W]`` in [0, 1] -> RGB jet."""
    return cv2.cvtColor(cv2.applyColorMap(
        (np.clip(att, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET),
        cv2.COLOR_BGR2RGB)


def colour_labels(label: Optional[np.ndarray], shape) -> np.ndarray:
    if label is None:
        return np.full(tuple(shape) + (3, ), 128, np.uint8)
    return _PALETTE[label]


@torch.no_grad()
def branch_maps(model, img_bgr: np.ndarray, classes: Sequence[int],
                size: int = 224, norm: str = 'minmax'):
    """M_A and M_B (max over the image's classes, normalised per class) at
    the image's size; M_B is None for a ``cam`` model."""
    h, w = img_bgr.shape[:2]
    x = torch.from_numpy(np.ascontiguousarray(cv2.resize(
        img_bgr, (size, size)).transpose(2, 0, 1)))
    inputs = model.data_preprocessor({'inputs': [x]}, False)['inputs']
    labels = torch.zeros(1, model.num_classes, device=inputs.device)
    idx = torch.as_tensor([c - 1 for c in classes], device=inputs.device)
    labels[0, idx] = 1
    out = model.forward_branches(inputs, labels, with_c=False)

    def one(key):
        if key not in out:
            return None
        maps = normalize_maps(out[key][0, idx], norm)
        up = F.interpolate(maps[None], size=(h, w), mode='bilinear',
                           align_corners=False)[0]
        return up.amax(0).clamp(0, 1).cpu().numpy()

    return one('maps_a'), one('maps_b')


def gallery_row(img_bgr, m_a, m_b, fused, label, gt) -> np.ndarray:
    h, w = img_bgr.shape[:2]
    blank = np.full((h, w, 3), 128, np.uint8)
    panels = [cv2.cvtColor(img_bgr, cv2.COLOR_BGR2RGB),
              heatmap(m_a) if m_a is not None else blank,
              heatmap(m_b) if m_b is not None else blank,
              heatmap(fused) if fused is not None else blank,
              colour_labels(label, (h, w)), colour_labels(gt, (h, w))]
    sep = np.full((h, 3, 3), 255, np.uint8)
    row = [panels[0]]
    for p in panels[1:]:
        row += [sep, p]
    return np.concatenate(row, axis=1)


def write_index(out_dir: str, entries: List[dict], title: str) -> None:
    """``index.md`` and ``index.html`` listing the rows."""
    header = ' | '.join(COLUMNS)
    md = [f'# {title}', '', f'Each row: {header}.', '']
    html = [f'<html><head><meta charset="utf-8"><title>{title}</title>'
            '</head><body>', f'<h1>{title}</h1>', f'<p>Each row: {header}.'
            '</p>']
    for e in entries:
        names = ', '.join(VOC_CLASSES[c] for c in e['classes'])
        md += [f'## {e["name"]} ({names})', '', f'![{e["name"]}]'
               f'({e["file"]})', '']
        html.append(f'<h3>{e["name"]} ({names})</h3><img src="{e["file"]}">')
    html.append('</body></html>')
    for fname, lines in (('index.md', md), ('index.html', html)):
        path = osp.join(out_dir, fname)
        with open(path + '.tmp', 'w') as f:
            f.write('\n'.join(lines) + '\n')
        os.replace(path + '.tmp', path)
