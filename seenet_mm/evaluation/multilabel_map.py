"""Multi-label mean average precision over the dataset's classes."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS


def average_precision(scores: np.ndarray, targets: np.ndarray) -> float:
    """AP of one class: sum over score thresholds of precision x recall gain.

    Tied scores form one threshold (as scikit-learn's
    ``average_precision_score``). Returns nan when there is no positive.
    """
    scores = np.asarray(scores, dtype=np.float64)
    targets = np.asarray(targets) > 0
    n_pos = int(targets.sum())
    if n_pos == 0:
        return float('nan')
    order = np.argsort(-scores, kind='stable')
    scores, hits = scores[order], targets[order]
    # last index of each group of equal scores
    ends = np.r_[np.nonzero(np.diff(scores))[0], len(scores) - 1]
    tp = np.cumsum(hits)[ends]
    precision = tp / (ends + 1)
    recall_gain = np.diff(np.r_[0, tp]) / n_pos
    return float((precision * recall_gain).sum())


@METRICS.register_module()
class MultiLabelMAP(BaseMetric):
    """mAP of ``pred_class_scores`` against ``gt_class_labels``.

    Classes without a positive image in the evaluated split are left out of
    the mean (reported as nan per class).
    """

    default_prefix: Optional[str] = 'cls'

    def __init__(self, class_names: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.class_names = class_names

    def process(self, data_batch, data_samples: Sequence) -> None:
        for ds in data_samples:
            get = ds.get if hasattr(ds, 'get') else ds.__getitem__
            self.results.append((
                np.asarray(get('pred_class_scores').cpu()),
                np.asarray(get('gt_class_labels').cpu())))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = np.stack([r[0] for r in results])
        targets = np.stack([r[1] for r in results])
        aps = [average_precision(scores[:, c], targets[:, c])
               for c in range(scores.shape[1])]
        metrics = {'mAP': float(np.nanmean(aps)) * 100}
        names = self.class_names or (self.dataset_meta or {}).get('classes')
        for c, ap in enumerate(aps):
            if not np.isnan(ap) and names:
                metrics[f'AP_{names[c]}'] = ap * 100
        return metrics
