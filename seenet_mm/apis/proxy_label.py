"""Proxy ground truth from attention and saliency (SeeNet Algorithm 1).

For every pixel i with saliency D(i) in [0, 1] and, per image label c, the
attention A_c(i) in [0, 1]:

    Q(0, i) = 1 - D(i)                                  (background)
    Q(c, i) = (w + 1) / (w / A_c(i) + 1 / D(i))         (0 if A or D is 0)
    Label(i) = argmax over {0} U labels of Q(:, i)      (ties: lower index)

Two ignore rules (value 255) that the authors advised later are options,
off by default: pixels where two classes are both strongly attended, and
pixels whose saliency contradicts the label.
"""
from __future__ import annotations

from typing import Optional, Sequence, Tuple

import numpy as np

IGNORE = 255


def harmonic_scores(saliency: np.ndarray, attention: np.ndarray,
                    w: float = 1.0) -> np.ndarray:
    """``Q`` of Algorithm 1: ``[K + 1, H, W]`` float32 (row 0 background)."""
    d = saliency.astype(np.float32, copy=False)
    a = attention.astype(np.float32, copy=False)
    k = a.shape[0]
    q = np.empty((k + 1, ) + d.shape, np.float32)
    np.subtract(1.0, d, out=q[0])
    with np.errstate(divide='ignore', invalid='ignore'):
        inv_d = np.float32(1.0) / d  # inf where D == 0
        for c in range(k):
            denom = np.float32(w) / a[c]  # inf where A == 0
            denom += inv_d
            np.divide(np.float32(w + 1), denom, out=q[c + 1])
    # (w + 1) / inf == 0 already covers A == 0 or D == 0; keep it explicit
    # for w == 0 (then only D matters) and for negative inputs
    if w == 0:
        q[1:][:, d <= 0] = 0
    q[1:][a <= 0] = 0
    return q


def proxy_label(saliency: np.ndarray,
                attention: np.ndarray,
                classes: Sequence[int],
                w: float = 1.0,
                ignore_multi_thr: Optional[float] = None,
                ignore_conflict: Optional[Tuple[float, float]] = None
                ) -> np.ndarray:
    """Label map of one image (Algorithm 1).

    Args:
        saliency: D, ``[H, W]`` in [0, 1].
        attention: A, ``[K, H, W]`` in [0, 1], one map per image class.
        classes: the K VOC ids (1..20) of the maps.
        w: weight of the attention in the harmonic mean (paper: 1).
        ignore_multi_thr: if set, pixels where two or more classes have
            ``A >= ignore_multi_thr`` become 255.
        ignore_conflict: if set to ``(low, high)``, pixels labelled as a
            class with ``D < low``, or as background with ``D > high``,
            become 255.

    Returns:
        np.ndarray: uint8 ``[H, W]`` with values in {0} U classes (U {255}).
    """
    saliency = np.asarray(saliency)
    attention = np.asarray(attention)
    if attention.ndim == 2:
        attention = attention[None]
    if saliency.ndim != 2 or attention.ndim != 3 or \
            attention.shape[1:] != saliency.shape:
        raise ValueError(f'proxy_label: saliency [H, W] and attention '
                         f'[K, H, W] must share H, W; got {saliency.shape} '
                         f'and {attention.shape}')
    classes = np.asarray(classes, dtype=np.int64).reshape(-1)
    if len(classes) != attention.shape[0]:
        raise ValueError(f'proxy_label: {len(classes)} classes for '
                         f'{attention.shape[0]} attention maps')
    if len(classes) and (classes.min() < 1 or classes.max() > 254):
        raise ValueError(f'proxy_label: class ids must be in 1..254, got '
                         f'{classes.tolist()}')
    q = harmonic_scores(saliency, attention, w)
    lut = np.concatenate([[0], classes]).astype(np.uint8)
    label = lut[q.argmax(axis=0)]
    if ignore_multi_thr is not None and len(classes) > 1:
        strong = (attention >= ignore_multi_thr).sum(axis=0) >= 2
        label[strong] = IGNORE
    if ignore_conflict is not None:
        low, high = ignore_conflict
        fg = (label != 0) & (label != IGNORE)
        label[fg & (saliency < low)] = IGNORE
        label[(label == 0) & (saliency > high)] = IGNORE
    return label
