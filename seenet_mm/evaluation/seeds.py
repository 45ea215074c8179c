"""Quality of attention maps (seeds) and proxy labels against ground truth.

Seed mIoU, the usual protocol: per image, its ground-truth classes' maps in
[0, 1] and a constant background score ``t``; the argmax labels each pixel
(ties go to the background); the confusion over the split gives the mIoU,
swept over ``t`` with the best reported. Proxy labels are scored directly,
255 ignored (and counted).

``num_classes`` everywhere is M + 1: the dataset's M classes and the
background (VOC: 21, the default).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np

from ..metainfo import IGNORE_INDEX as IGNORE
from ..metainfo import VOC_CLASSES

NUM_CLASSES = len(VOC_CLASSES)  # VOC: background + 20


def check_values(gt: np.ndarray, num_classes: int, what: str = 'ground truth'
                 ) -> None:
    """``ValueError`` when ``gt`` holds a value that is neither a class
    (0..num_classes - 1) nor 255; the caller adds the file's name."""
    if gt.size and gt.max() >= num_classes:
        bad = np.unique(gt[(gt >= num_classes) & (gt != IGNORE)])
        if bad.size:
            raise ValueError(f'{what} holds values {bad[:8].tolist()}, '
                             f'neither a class (0..{num_classes - 1}) nor '
                             f'{IGNORE}')


def default_thresholds() -> np.ndarray:
    """0.05, 0.10, ..., 0.60."""
    return np.round(np.arange(0.05, 0.601, 0.05), 2)


def confusion(pred: np.ndarray, gt: np.ndarray,
              num_classes: int = NUM_CLASSES) -> np.ndarray:
    """``[C, C]`` counts, rows = ground truth, columns = prediction; pixels
    with 255 in either are left out. Values >= C other than 255 would land
    in the wrong cells: check them first (:func:`check_values`)."""
    valid = (gt != IGNORE) & (pred != IGNORE)
    idx = gt[valid].astype(np.int64) * num_classes + pred[valid]
    return np.bincount(idx, minlength=num_classes**2).reshape(
        num_classes, num_classes)


def scores_from_confusion(conf: np.ndarray) -> Dict[str, object]:
    """mIoU (over classes present in GT or prediction), per-class IoU,
    precision, recall, the share of each class's errors that are false
    positives (``fp_share``: over-activation near 100, under-activation
    near 0), and the background spread (share of GT background pixels
    labelled as an object)."""
    conf = conf.astype(np.float64)
    tp = np.diag(conf)
    gt_sum, pred_sum = conf.sum(1), conf.sum(0)
    union = gt_sum + pred_sum - tp
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = np.where(union > 0, tp / union, np.nan)
        precision = np.where(pred_sum > 0, tp / pred_sum, np.nan)
        recall = np.where(gt_sum > 0, tp / gt_sum, np.nan)
        spread = conf[0, 1:].sum() / gt_sum[0] if gt_sum[0] > 0 else np.nan
        false_pos, false_neg = pred_sum - tp, gt_sum - tp
        errors = false_pos + false_neg
        fp_share = np.where(errors > 0, false_pos / errors, np.nan)
    return dict(mIoU=float(np.nanmean(iou)) * 100 if np.any(union > 0)
                else float('nan'),
                IoU=iou * 100, precision=precision * 100,
                recall=recall * 100, fp_share=fp_share * 100,
                background_spread=float(spread) * 100)


# bins of the maps' scores in [0, 1] for PxAP: thresholds 0, 0.001, ...
PXAP_BINS = 1000


def pxap_from_histograms(fg: np.ndarray, bg: np.ndarray) -> float:
    """PxAP (Choe et al., CVPR 2020): the pixel average precision of a
    score thresholded at every bin edge, from the histograms of the scores
    of the foreground and background pixels over equal bins of [0, 1]:
    ``sum_l P(t_l) (R(t_l) - R(t_{l+1}))``, precision and recall of
    ``score >= t_l``, the thresholds ``t_l`` taken from the top. NaN
    without foreground pixels."""
    fg = np.asarray(fg, np.float64)
    bg = np.asarray(bg, np.float64)
    total = fg.sum()
    if total == 0:
        return float('nan')
    # pixels at or above each bin's lower edge
    fg_ge = np.cumsum(fg[::-1])[::-1]
    bg_ge = np.cumsum(bg[::-1])[::-1]
    predicted = fg_ge + bg_ge
    precision = np.divide(fg_ge, predicted, out=np.ones_like(fg_ge),
                          where=predicted > 0)
    recall = fg_ge / total
    gain = recall - np.append(recall[1:], 0.0)
    return float((precision * gain).sum() * 100)


def score_bins(scores: np.ndarray, bins: int = PXAP_BINS) -> np.ndarray:
    """The bin of each score in [0, 1] (1 in the last); a score on a bin
    edge (``k / bins``, up to float rounding) falls in bin ``k``."""
    scaled = np.asarray(scores, np.float64) * bins + 1e-6
    return np.clip(scaled.astype(np.int64), 0, bins - 1)


class SeedEvaluator:
    """Accumulates seed confusions for every background threshold at once,
    and the histograms of the maps' peak scores on the foreground and the
    background pixels for PxAP (threshold-free).

    Args:
        thresholds: background scores to sweep.
        num_classes: M + 1 (VOC: 21).
    """

    def __init__(self, thresholds: Optional[Sequence[float]] = None,
                 num_classes: int = NUM_CLASSES) -> None:
        self.num_classes = num_classes
        self.thresholds = np.asarray(
            default_thresholds() if thresholds is None else thresholds,
            dtype=np.float64)
        if self.thresholds.size == 0:
            raise ValueError('SeedEvaluator: no threshold given')
        self.conf = np.zeros((len(self.thresholds), num_classes,
                              num_classes), np.int64)
        # context pixels labelled foreground, per threshold, and in all
        self.context_fg = np.zeros(len(self.thresholds), np.int64)
        self.context_total = 0
        self.count = 0
        self.fg_hist = np.zeros(PXAP_BINS, np.int64)
        self.bg_hist = np.zeros(PXAP_BINS, np.int64)

    def add(self, attention: np.ndarray, classes: Sequence[int],
            gt: np.ndarray, context: Optional[np.ndarray] = None) -> None:
        """One image: ``attention`` ``[K, H, W]`` of class ids ``classes``
        (1..M), ``gt`` ``[H, W]`` (0..M, 255); ``context``: bool ``[H, W]``,
        the background pixels of class-correlated context (toy sets made
        with ``--context``), for the context spread."""
        if attention.shape[1:] != gt.shape:
            raise ValueError(f'attention {attention.shape[1:]} and ground '
                             f'truth {gt.shape} differ in size')
        check_values(gt, self.num_classes)
        if len(classes) and max(classes) >= self.num_classes:
            raise ValueError(f'class ids {list(classes)} outside '
                             f'1..{self.num_classes - 1}')
        lut = np.asarray(classes, dtype=np.uint8)
        if len(lut):
            peak = attention.max(0)
            label = lut[attention.argmax(0)]
        else:
            peak = np.zeros(gt.shape, np.float32)
            label = np.zeros(gt.shape, np.uint8)
        if context is not None:
            context = np.asarray(context, bool) & (gt == 0)
            self.context_total += int(context.sum())
        bins = score_bins(peak)
        self.fg_hist += np.bincount(bins[(gt > 0) & (gt < 255)],
                                    minlength=PXAP_BINS)
        self.bg_hist += np.bincount(bins[gt == 0], minlength=PXAP_BINS)
        for i, t in enumerate(self.thresholds):
            pred = np.where(peak > t, label, 0).astype(np.uint8)
            self.conf[i] += confusion(pred, gt, self.num_classes)
            if context is not None:
                self.context_fg[i] += int((context & (pred != 0)).sum())
        self.count += 1

    def results(self) -> Dict[str, object]:
        """Per-threshold mIoU, the best one with its per-class scores,
        whether the best lies at an edge of the sweep, and the maps' PxAP
        (foreground against background, whatever the class)."""
        per_t = [scores_from_confusion(c) for c in self.conf]
        mious = np.array([s['mIoU'] for s in per_t])
        best = int(np.nanargmax(mious))
        out = dict(
            images=self.count,
            thresholds=self.thresholds.tolist(),
            mIoU_per_threshold=mious.tolist(),
            best_threshold=float(self.thresholds[best]),
            best=per_t[best],
            best_at_edge=bool(len(mious) > 1 and
                              best in (0, len(mious) - 1)),
            pxap=pxap_from_histograms(self.fg_hist, self.bg_hist))
        if self.context_total:
            spread = self.context_fg / self.context_total * 100
            # share of the context pixels labelled foreground
            out['context_spread_per_threshold'] = spread.tolist()
            out['context_spread'] = float(spread[best])
        return out


class LabelEvaluator:
    """Accumulates the confusion of proxy labels (255 = ignored).

    A proxy label's 255 pixels are left out of ``mIoU``, which flatters
    labels that ignore more; ``mIoU_ignore_as_background`` counts them as
    background instead (IRN's protocol for its CAM labels).

    Args:
        num_classes: M + 1 (VOC: 21).
    """

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        self.num_classes = num_classes
        self.conf = np.zeros((num_classes, num_classes), np.int64)
        self.conf_bg = np.zeros((num_classes, num_classes), np.int64)
        self.ignored = 0
        self.valid = 0
        self.context_fg = 0
        self.context_total = 0
        self.count = 0

    def add(self, label: np.ndarray, gt: np.ndarray,
            context: Optional[np.ndarray] = None) -> None:
        """One image; ``context`` as :meth:`SeedEvaluator.add` (a context
        pixel labelled with a class counts as spread; 255 does not)."""
        if label.shape != gt.shape:
            raise ValueError(f'label {label.shape} and ground truth '
                             f'{gt.shape} differ in size')
        check_values(gt, self.num_classes)
        check_values(label, self.num_classes, 'the proxy label')
        counted = gt != IGNORE
        self.ignored += int((counted & (label == IGNORE)).sum())
        self.valid += int(counted.sum())
        self.conf += confusion(label, gt, self.num_classes)
        self.conf_bg += confusion(np.where(label == IGNORE, 0, label), gt,
                                  self.num_classes)
        if context is not None:
            context = np.asarray(context, bool) & (gt == 0)
            self.context_total += int(context.sum())
            self.context_fg += int((context & (label != 0) &
                                    (label != IGNORE)).sum())
        self.count += 1

    def results(self) -> Dict[str, object]:
        out = scores_from_confusion(self.conf)
        out['images'] = self.count
        out['ignored_fraction'] = self.ignored / max(self.valid, 1) * 100
        out['mIoU_ignore_as_background'] = scores_from_confusion(
            self.conf_bg)['mIoU']
        if self.context_total:
            out['context_spread'] = self.context_fg / self.context_total * 100
        return out


def to_jsonable(obj):
    """numpy arrays/floats -> lists/floats, nan -> None."""
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (float, np.floating)):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


__all__: List[str] = ['SeedEvaluator', 'LabelEvaluator', 'confusion',
                      'pxap_from_histograms', 'score_bins', 'PXAP_BINS',
                      'check_values', 'NUM_CLASSES',
                      'scores_from_confusion', 'default_thresholds',
                      'to_jsonable']
