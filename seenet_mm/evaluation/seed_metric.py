"""Seed mIoU as a metric for validating the attention model in training."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from .seeds import SeedEvaluator, scores_from_confusion


def _get(sample, key):
    if isinstance(sample, dict):
        return sample.get(key)
    return getattr(sample, key, None)


@METRICS.register_module()
class AttentionSeedMetric(BaseMetric):
    """Seed mIoU of the model's fused attention (``pred_attention``: M_A and
    M_B fused by :func:`seenet_mm.models.fuse_attention`, one view) against
    ``gt_sem_seg``, swept over background thresholds.

    The validation pipeline must load the masks: put ``LoadAnnotations``
    after the resize (the masks keep their original size) and give the
    dataset ``data_prefix.seg_map_path``. Reports ``seed/mIoU`` at the best
    threshold and ``seed/best_thr``.

    Args:
        thresholds: background scores (default 0.05 ... 0.60).
    """

    default_prefix: Optional[str] = 'seed'

    def __init__(self, thresholds: Optional[Sequence[float]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.thresholds = thresholds

    def process(self, data_batch, data_samples: Sequence) -> None:
        for ds in data_samples:
            gt = _get(ds, 'gt_sem_seg')
            if gt is None:
                raise KeyError('AttentionSeedMetric needs gt_sem_seg: add '
                               "LoadAnnotations to the validation pipeline "
                               "and data_prefix.seg_map_path to the dataset")
            fused = _get(ds, 'pred_attention')
            if fused is None:
                raise KeyError('AttentionSeedMetric needs pred_attention '
                               '(SeeNet.predict writes it)')
            gt = (gt['data'] if isinstance(gt, dict) else gt.data)[0]
            labels = _get(ds, 'gt_class_labels')
            idx = torch.nonzero(labels > 0).flatten().to(fused.device)
            maps = F.interpolate(fused[idx][None].float(),
                                 size=tuple(gt.shape), mode='bilinear',
                                 align_corners=False)[0]
            ev = SeedEvaluator(self.thresholds)
            ev.add(maps.clamp(0, 1).cpu().numpy(), (idx + 1).tolist(),
                   gt.cpu().numpy().astype(np.uint8))
            self.results.append(ev.conf)

    def compute_metrics(self, results: List[np.ndarray]) -> Dict[str, float]:
        conf = np.sum(results, axis=0)
        ev = SeedEvaluator(self.thresholds)
        mious = [scores_from_confusion(c)['mIoU'] for c in conf]
        best = int(np.nanargmax(mious))
        return {'mIoU': float(mious[best]),
                'best_thr': float(ev.thresholds[best])}
