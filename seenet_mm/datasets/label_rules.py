"""The rules that turn maps into proxy labels: proxy ground truth from
attention and saliency (SeeNet Algorithm 1), or from attention alone.

For every pixel i with saliency D(i) in [0, 1] and, per image label c, the
attention A_c(i) in [0, 1]:

    Q(0, i) = 1 - D(i)                                  (background)
    Q(c, i) = (w + 1) / (w / A_c(i) + 1 / D(i))         (0 if A or D is 0)
    Label(i) = argmax over {0} U labels of Q(:, i)      (ties: lower index)

Two ignore rules (value 255) that the authors advised later are options,
off by default: pixels where two classes are both strongly attended, and
pixels whose saliency contradicts the label.

Without saliency maps, :func:`threshold_proxy_label` makes labels from the
attention alone (IRN's confident regions; not in the SeeNet paper).
"""
from __future__ import annotations

from typing import Iterable, Optional, Sequence, Tuple

import numpy as np

from ..metainfo import IGNORE_INDEX as IGNORE


def harmonic_scores(saliency: np.ndarray, attention: np.ndarray,
                    w: float = 1.0) -> np.ndarray:
    """``Q`` of Algorithm 1: ``[K + 1, H, W]`` float32 (row 0 background).

    Inputs are expected in [0, 1]; where A or D is 0 the score is 0.
    """
    d = np.asarray(saliency, dtype=np.float32)
    a = np.asarray(attention, dtype=np.float32)
    q = np.empty((a.shape[0] + 1, ) + d.shape, np.float32)
    np.subtract(np.float32(1), d, out=q[0])
    inv_d = _inverse(d)
    for c in range(a.shape[0]):
        _harmonic(a[c], inv_d, w, out=q[c + 1])
    return q


def _inverse(d: np.ndarray) -> np.ndarray:
    """1 / D, +inf where D <= 0 (so that Q = 0 there)."""
    with np.errstate(divide='ignore'):
        inv = np.divide(np.float32(1), d, dtype=np.float32)
    if d.size and d.min() <= 0:
        inv[d <= 0] = np.inf
    return inv


def _harmonic(a: np.ndarray, inv_d: np.ndarray, w: float,
              out: np.ndarray) -> np.ndarray:
    """(w + 1) / (w / A + 1 / D) into ``out``; 0 where A <= 0 or D <= 0
    (the denominators become +inf)."""
    with np.errstate(divide='ignore'):
        np.divide(np.float32(w), a, out=out, dtype=np.float32)
    if a.size and a.min() <= 0:
        out[a <= 0] = np.inf
    if w == 0:
        out[...] = 0  # w / A vanishes: only D counts
    out += inv_d
    np.divide(np.float32(w + 1), out, out=out)
    return out


def _algorithm1_labels(saliency: np.ndarray, attention: np.ndarray,
                       classes: np.ndarray, w: float,
                       block: int = 16384) -> np.ndarray:
    """Algorithm 1's argmax without divisions.

    For D, A > 0, Q(c) = (w + 1) / (w / A + 1 / D) grows with A, so the best
    class is the one of largest attention (the first on ties), and it wins
    over the background iff Q(c) > 1 - D, i.e.
    ``(w + 1) A D > (1 - D) (w D + A)``. With A = 0 or D = 0 the left side
    is 0 and the right side >= 0, so the background wins, as Algorithm 1's
    guard (Q = 0) says; equal scores go to the background as well.

    Speed (see benchmarks/bench_proxy_labels.py): rows are processed in
    blocks of about ``block`` pixels, so that temporaries stay in cache and
    come from the allocator's free lists (image-sized temporaries are
    returned to the OS and page-faulted again on every call); selections
    are arithmetic on 0/1 masks, because masked assignment (np.where,
    a[mask] = v) is ~50x slower on irregular masks.
    """
    d_all = np.asarray(saliency, dtype=np.float32)
    h, width = d_all.shape
    label = np.zeros((h, width), np.uint8)
    if len(classes) == 0:
        return label
    att = np.asarray(attention, dtype=np.float32)
    rows = max(1, block // max(width, 1))
    cls = [np.uint8(c) for c in classes]
    w1, w0, one, zero = (np.float32(w + 1), np.float32(w), np.float32(1),
                         np.float32(0))
    for y in range(0, h, rows):
        d = np.maximum(d_all[y:y + rows], zero)
        lab = label[y:y + rows]
        lab.fill(cls[0])
        a = att[0, y:y + rows].copy()
        if len(cls) > 1:
            wins = np.empty(d.shape, bool)
            step = np.empty(d.shape, np.uint8)
            for c in range(1, len(cls)):
                ac = att[c, y:y + rows]
                np.greater(ac, a, out=wins)
                # lab = wins ? cls[c] : lab, in uint8 arithmetic that wraps
                # modulo 256 (exact: the result is cls[c] or lab)
                np.subtract(cls[c], lab, out=step)
                np.multiply(step, wins.view(np.uint8), out=step)
                lab += step
                np.maximum(a, ac, out=a)
        np.maximum(a, zero, out=a)  # negative attention counts as 0
        lhs = d * w1
        lhs *= a
        rhs = d * w0
        rhs += a
        rhs *= one - d
        lab *= np.greater(lhs, rhs).view(np.uint8)
    return label


def proxy_label(saliency: np.ndarray,
                attention: np.ndarray,
                classes: Sequence[int],
                w: float = 1.0,
                ignore_multi_thr: Optional[float] = None,
                ignore_conflict: Optional[Tuple[float, float]] = None,
                crf_image: Optional[np.ndarray] = None,
                crf_params: Optional[dict] = None) -> np.ndarray:
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
        crf_image: if given (uint8 ``[H, W, 3]``), the scores Q, normalised
            per pixel, are refined by a dense CRF with this image before the
            argmax (option beyond Algorithm 1; needs pydensecrf2).
        crf_params: arguments of :func:`seenet_mm.crf.dense_crf`.

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
    if crf_image is None:
        label = _algorithm1_labels(saliency, attention, classes, w)
    else:
        from ..crf import dense_crf
        q = harmonic_scores(saliency, attention, w)
        total = q.sum(0, keepdims=True)
        probs = np.where(total > 0, q / np.maximum(total, 1e-12),
                         1.0 / q.shape[0]).astype(np.float32)
        refined = dense_crf(crf_image, probs, **(crf_params or {}))
        lut = np.concatenate([[0], classes]).astype(np.uint8)
        label = lut[refined.argmax(0)]
    if ignore_multi_thr is not None and len(classes) > 1:
        strong = (attention >= ignore_multi_thr).sum(axis=0) >= 2
        label[strong] = IGNORE
    if ignore_conflict is not None:
        low, high = ignore_conflict
        fg = (label != 0) & (label != IGNORE)
        label[fg & (saliency < low)] = IGNORE
        label[(label == 0) & (saliency > high)] = IGNORE
    return label


def proxy_label_reference(saliency: np.ndarray, attention: np.ndarray,
                          classes: Sequence[int], w: float = 1.0
                          ) -> np.ndarray:
    """Algorithm 1 as a plain per-pixel loop in float64, written straight
    from the paper: the reference the tests check :func:`proxy_label`
    against and the baseline of ``benchmarks/bench_proxy_labels.py``."""
    h, width = saliency.shape
    out = np.zeros((h, width), np.uint8)
    for y in range(h):
        for x in range(width):
            d = float(saliency[y, x])
            best, best_label = 1.0 - d, 0
            for k, c in enumerate(classes):
                a = float(attention[k, y, x])
                q = 0.0 if a == 0 or d == 0 else (w + 1) / (w / a + 1 / d)
                if q > best:  # strict: ties keep the lower index
                    best, best_label = q, c
            out[y, x] = best_label
    return out


# IRN's thresholds (Ahn et al., CVPR 2019, conf_fg_thres / conf_bg_thres)
FG_THRESHOLD = 0.30
BG_THRESHOLD = 0.05
PROXY_METHODS = ('saliency', 'threshold')
#: ``auto`` thresholds: from the image's Otsu split t of its peaks, these
#: shares of the room above it, 1 - t, up (foreground) and down (background)
AUTO_FG_MARGIN = 0.5
AUTO_BG_MARGIN = 0.25
#: labels that can teach: at least this share of confident background and
#: of confident foreground over the set (IRN's seeds hold about 40 % / 20 %
#: on VOC)
MIN_BACKGROUND = 0.05
MIN_FOREGROUND = 0.01


def otsu_threshold(values: np.ndarray, bins: int = 64) -> float:
    """Otsu's threshold of ``values`` in [0, 1]: the bin edge that
    maximises the between-class variance of a ``bins``-bin histogram; where
    several edges do (an empty gap between two modes), the middle one (0.5
    for a constant input)."""
    hist, edges = np.histogram(np.clip(values, 0, 1), bins=bins,
                               range=(0, 1))
    hist = hist.astype(np.float64)
    centres = (edges[:-1] + edges[1:]) / 2
    w0 = np.cumsum(hist)
    w1 = w0[-1] - w0
    m0 = np.cumsum(hist * centres) / np.maximum(w0, 1)
    m1 = ((hist * centres).sum() - np.cumsum(hist * centres)) \
        / np.maximum(w1, 1)
    between = w0 * w1 * (m0 - m1) ** 2
    if not between.max() > 0:
        return 0.5
    best = np.flatnonzero(between >= between.max() * (1 - 1e-9))
    run = best[:np.argmax(np.diff(np.append(best, best[-1] + 2)) > 1) + 1]
    return float(edges[run[len(run) // 2] + 1])


def peak_map(attention: np.ndarray) -> np.ndarray:
    """Per pixel the highest of an image's ``[K, H, W]`` maps (0 without
    classes)."""
    attention = np.asarray(attention, np.float32)
    if attention.shape[0] == 0:
        return np.zeros(attention.shape[1:], np.float32)
    return attention.max(0)


def auto_thresholds(attention: np.ndarray) -> Tuple[float, float]:
    """``(fg_thr, bg_thr)`` of one image without masks, from Otsu's split
    ``t`` of the image's per-pixel peaks: foreground above
    ``t + (1 - t) / 2``, background at or below ``t - (1 - t) / 4`` (at
    least 0.01). Warm maps (background attention far above IRN's 0.05) move
    ``t`` up with them; the wider foreground margin keeps the halo of warm
    background around objects out of the confident foreground."""
    t = otsu_threshold(peak_map(attention))
    fg = t + AUTO_FG_MARGIN * (1 - t)
    bg = min(max(t - AUTO_BG_MARGIN * (1 - t), 0.01), fg - 0.01)
    return fg, bg


def label_shares(labels: Iterable[np.ndarray]) -> dict:
    """Shares of background (0), foreground (classes) and ignored (255)
    pixels over label maps, and how many maps hold both background and
    foreground (where negative pairs come from)."""
    counts = np.zeros(3, np.int64)
    mixed = 0
    for label in labels:
        bg = int((label == 0).sum())
        ignored = int((label == IGNORE).sum())
        fg = label.size - bg - ignored
        counts += (bg, fg, ignored)
        mixed += bool(bg and fg)
    total = max(int(counts.sum()), 1)
    return dict(background=counts[0] / total, foreground=counts[1] / total,
                ignored=counts[2] / total, images_with_both=mixed)


def check_teaching(shares: dict, what: str, hint: str = '') -> None:
    """One ``ValueError`` when labels cannot teach a segmentation or
    affinity network: confident background under 5 % or foreground under
    1 % of the pixels, or no image with both (no negative pairs). ``what``
    names the labels and their settings; ``hint`` suggests a way out."""
    problems = []
    if shares['background'] < MIN_BACKGROUND:
        problems.append(f'background {shares["background"]:.1%} of the '
                        f'pixels (needs >= {MIN_BACKGROUND:.0%})')
    if shares['foreground'] < MIN_FOREGROUND:
        problems.append(f'foreground {shares["foreground"]:.1%} '
                        f'(needs >= {MIN_FOREGROUND:.0%})')
    if not shares['images_with_both']:
        problems.append('no image with both background and a class '
                        '(no negative pairs)')
    if problems:
        raise ValueError(
            f'{what} cannot teach anything: ' + '; '.join(problems)
            + f' (background {shares["background"]:.1%}, foreground '
            f'{shares["foreground"]:.1%}, ignored {shares["ignored"]:.1%})'
            + (f'. {hint}' if hint else ''))


def _padded_argmax(attention: np.ndarray, thr: float) -> np.ndarray:
    """argmax over ``[thr, A_1, ..., A_K]``: 0 where no attention exceeds
    ``thr`` (ties go to the lower index: the background), else 1 + the
    strongest map's index."""
    if attention.shape[0] == 0:
        return np.zeros(attention.shape[1:], np.int64)
    peak = attention.max(0)
    return np.where(peak > thr, attention.argmax(0) + 1, 0)


def threshold_proxy_label(attention: np.ndarray,
                          classes: Sequence[int],
                          fg_thr=FG_THRESHOLD,
                          bg_thr=BG_THRESHOLD,
                          crf_image: Optional[np.ndarray] = None,
                          crf_params: Optional[dict] = None) -> np.ndarray:
    """Label map of one image from its attention maps alone, no saliency
    (IRN's confident labels, ``cam_to_ir_label``).

    Per pixel, with A the ``[K, H, W]`` maps of the image's classes:

    - foreground side: the argmax over ``[fg_thr, A_1 .. A_K]`` (the
      strongest class where its attention exceeds ``fg_thr``, else 0);
    - background side: the same with ``bg_thr``;
    - the label is the foreground side's class where it has one, the
      background (0) where the background side is 0 as well (no attention
      above ``bg_thr``), and 255 (ignore) in between.

    Args:
        attention: ``[K, H, W]`` in [0, 1], one map per image class.
        classes: the K class ids (1..M).
        fg_thr: confident-foreground threshold (IRN: 0.30), or ``'auto'``
            (both thresholds from the image's own maps,
            :func:`auto_thresholds`).
        bg_thr: confident-background threshold (IRN: 0.05); < ``fg_thr``;
            ``'auto'`` with ``fg_thr``.
        crf_image: if given (uint8 ``[H, W, 3]``), each side's argmax is
            refined by a dense CRF on this image before they are combined,
            as IRN does (:func:`seenet_mm.crf.crf_from_labels`, IRN's
            parameters; needs pydensecrf2).
        crf_params: :func:`seenet_mm.crf.dense_crf` arguments replacing
            IRN's.

    Returns:
        np.ndarray: uint8 ``[H, W]`` with values in {0, 255} U classes.
    """
    attention = np.asarray(attention, dtype=np.float32)
    if attention.ndim == 2:
        attention = attention[None]
    classes = np.asarray(classes, dtype=np.int64).reshape(-1)
    if attention.ndim != 3 or len(classes) != attention.shape[0]:
        raise ValueError(f'threshold_proxy_label: {len(classes)} classes for '
                         f'attention of shape {attention.shape}')
    if len(classes) and (classes.min() < 1 or classes.max() > 254):
        raise ValueError(f'threshold_proxy_label: class ids must be in '
                         f'1..254, got {classes.tolist()}')
    if (fg_thr == 'auto') != (bg_thr == 'auto'):
        raise ValueError('threshold_proxy_label: fg_thr and bg_thr are '
                         'both auto or both numbers')
    if fg_thr == 'auto':
        fg_thr, bg_thr = auto_thresholds(attention)
    if not 0 <= bg_thr < fg_thr:
        raise ValueError(f'threshold_proxy_label: need 0 <= bg_thr < fg_thr, '
                         f'got bg_thr={bg_thr}, fg_thr={fg_thr}')
    fg = _padded_argmax(attention, fg_thr)
    bg = _padded_argmax(attention, bg_thr)
    if crf_image is not None:
        from ..crf import crf_from_labels
        fg = crf_from_labels(crf_image, fg, len(classes) + 1,
                             params=crf_params)
        bg = crf_from_labels(crf_image, bg, len(classes) + 1,
                             params=crf_params)
    lut = np.concatenate([[0], classes]).astype(np.uint8)
    label = lut[fg]
    label[fg == 0] = IGNORE
    label[(fg == 0) & (bg == 0)] = 0
    return label


def threshold_proxy_label_reference(attention: np.ndarray,
                                    classes: Sequence[int],
                                    fg_thr: float = FG_THRESHOLD,
                                    bg_thr: float = BG_THRESHOLD
                                    ) -> np.ndarray:
    """:func:`threshold_proxy_label` without CRF as a per-pixel loop in
    float64, written from IRN's description: the tests' reference. The
    thresholds are first rounded to float32, as IRN's padding of its
    float32 maps with them does (a map equal to the threshold is not
    above it)."""
    fg_thr = float(np.float32(fg_thr))
    bg_thr = float(np.float32(bg_thr))
    _, h, width = attention.shape
    out = np.zeros((h, width), np.uint8)
    for y in range(h):
        for x in range(width):
            best, best_k = -1.0, -1
            for k in range(len(classes)):
                a = float(attention[k, y, x])
                if a > best:
                    best, best_k = a, k
            if best_k >= 0 and best > fg_thr:
                out[y, x] = classes[best_k]
            elif best_k >= 0 and best > bg_thr:
                out[y, x] = IGNORE
            else:
                out[y, x] = 0
    return out
