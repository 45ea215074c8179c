"""Seed mIoU as a metric for validating the attention model in training."""
from __future__ import annotations

import logging
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log
from mmseg.registry import METRICS

from .seeds import NUM_CLASSES, SeedEvaluator, scores_from_confusion


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
    (or ``LoadMaskIfExists``) after the resize (the masks keep their
    original size) and give the dataset ``data_prefix.seg_map_path``.
    Images without a mask are left out; when none has one, the metric
    reports nothing (and says so once). Reports ``seed/mIoU`` at the best
    threshold and ``seed/best_thr``.

    The confusion matrix has M + 1 rows: M = ``len(dataset_meta['classes'])``
    (the dataset's image-level classes; VOC: 20).

    Args:
        thresholds: background scores (default 0.05 ... 0.60).
    """

    default_prefix: Optional[str] = 'seed'

    def __init__(self, thresholds: Optional[Sequence[float]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.thresholds = thresholds

    @property
    def num_classes(self) -> int:
        """M + 1, from the dataset's class list (VOC: 21)."""
        classes = (self.dataset_meta or {}).get('classes')
        return len(classes) + 1 if classes else NUM_CLASSES

    def process(self, data_batch, data_samples: Sequence) -> None:
        for ds in data_samples:
            gt = _get(ds, 'gt_sem_seg')
            if gt is None:
                self.results.append(None)  # no mask: left out
                continue
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
            ev = SeedEvaluator(self.thresholds, self.num_classes)
            try:
                ev.add(maps.clamp(0, 1).cpu().numpy(), (idx + 1).tolist(),
                       gt.cpu().numpy().astype(np.int64))
            except ValueError as err:
                raise ValueError(f'{_get(ds, "seg_map_path")}: {err}'
                                 ) from None
            self.results.append(ev.conf)

    def compute_metrics(self, results: List[Optional[np.ndarray]]
                        ) -> Dict[str, float]:
        results = [r for r in results if r is not None]
        if not results:
            print_log('AttentionSeedMetric: no validation image has a mask '
                      '(seg_map_path); seed mIoU not measured',
                      logger='current', level=logging.WARNING)
            return {}
        conf = np.sum(results, axis=0)
        ev = SeedEvaluator(self.thresholds, self.num_classes)
        mious = [scores_from_confusion(c)['mIoU'] for c in conf]
        best = int(np.nanargmax(mious))
        return {'mIoU': float(mious[best]),
                'best_thr': float(ev.thresholds[best])}
