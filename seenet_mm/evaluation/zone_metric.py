"""T_A's zones against the ground truth: does the background zone hold
the real background, and the erased zone the objects? (Warm attention maps
can leave the background zone empty or misplaced.)"""
from __future__ import annotations

import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmseg.registry import METRICS

from ..fileio import load_label_png
from ..metainfo import IGNORE_INDEX
from .seed_metric import _get

# T_A's values (SeeNet Eqn. 2)
ERASED, POTENTIAL, BACKGROUND = 0, 1, -1


def zone_counts(ternary: np.ndarray, gt: np.ndarray) -> np.ndarray:
    """Pixel counts of one image, pixels with ground truth 255 left out:
    ``[background zone ∩ true background, background zone, true
    background, erased zone ∩ objects, erased zone, objects]``.

    Args:
        ternary: T_A at the ground truth's size, ``[H, W]`` in {0, 1, -1}.
        gt: ``[H, W]``, 0 background, 1..M objects, 255 ignored.
    """
    valid = gt != IGNORE_INDEX
    true_bg = valid & (gt == 0)
    objects = valid & (gt != 0)
    bg_zone = valid & (ternary == BACKGROUND)
    erased = valid & (ternary == ERASED)
    return np.array([(bg_zone & true_bg).sum(), bg_zone.sum(),
                     true_bg.sum(), (erased & objects).sum(), erased.sum(),
                     objects.sum()], np.int64)


def zone_scores(counts: np.ndarray) -> Dict[str, float]:
    """Percentages from summed :func:`zone_counts`:

    - ``bg_recall``: share of the true background inside the background
      zone (SeeNet's claim: the zone "covers most of the real background");
    - ``bg_precision``: share of the background zone that is true
      background;
    - ``erased_recall`` / ``erased_precision``: the same for the erased
      zone against the objects;
    - ``bg_zone`` / ``erased_zone``: the zones' shares of the valid pixels.

    A ratio without pixels to count is nan.
    """
    bg_hit, bg_zone, true_bg, er_hit, er_zone, objects = (
        float(v) for v in counts)
    total = true_bg + objects

    def pct(a: float, b: float) -> float:
        return 100.0 * a / b if b > 0 else float('nan')

    return dict(bg_recall=pct(bg_hit, true_bg),
                bg_precision=pct(bg_hit, bg_zone),
                erased_recall=pct(er_hit, objects),
                erased_precision=pct(er_hit, er_zone),
                bg_zone=pct(bg_zone, total), erased_zone=pct(er_zone, total))


def context_zone_counts(ternary: np.ndarray,
                        context: np.ndarray) -> np.ndarray:
    """Context pixels of one image in each zone of T_A: ``[background
    zone, potential zone, erased zone]``.

    Args:
        ternary: T_A at the context mask's size, ``[H, W]`` in {0, 1, -1}.
        context: ``[H, W]`` bool, the class-correlated context (toy sets
            made with ``--context``).
    """
    return np.array([(context & (ternary == zone)).sum()
                     for zone in (BACKGROUND, POTENTIAL, ERASED)], np.int64)


def context_zone_scores(counts: np.ndarray) -> Dict[str, float]:
    """Percentages of the context pixels in the background, potential and
    erased zones (``context_in_bg``, ``context_in_potential``,
    ``context_in_erased``) from summed :func:`context_zone_counts`."""
    total = float(np.sum(counts))
    if total <= 0:
        return {}
    return {f'context_in_{name}': 100.0 * float(c) / total for name, c in
            zip(('bg', 'potential', 'erased'), counts)}


@METRICS.register_module()
class ZoneMetric(BaseMetric):
    """T_A's background and erased zones (``pred_ternary``, written by
    ``SeeNet.predict`` at the feature map's size and brought to the mask's
    size by nearest-neighbour resizing) against ``gt_sem_seg``: recall and
    precision of each zone (:func:`zone_scores`), as ``zone/bg_recall``,
    ``zone/bg_precision``, ``zone/erased_recall``,
    ``zone/erased_precision``, ``zone/bg_zone``, ``zone/erased_zone``.

    Images without a mask are left out, as by ``AttentionSeedMetric``.

    Where context masks exist (toy sets made with ``--context``), it also
    gives the share of the context pixels in each zone
    (:func:`context_zone_scores`): SeeNet's background prior can only act on
    context that falls in the background zone.

    Args:
        context_dir: folder of context masks ``<name>.png`` (nonzero:
            context). None (default): the ``context`` folder beside the
            image folder (``VOC2012/context`` for ``VOC2012/JPEGImages``),
            used when it exists.
    """

    default_prefix: Optional[str] = 'zone'

    def __init__(self, context_dir: Optional[str] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.context_dir = context_dir

    def _context(self, ds) -> Optional[np.ndarray]:
        img_path = _get(ds, 'img_path')
        if not img_path:
            return None
        folder = self.context_dir or osp.join(
            osp.dirname(osp.dirname(img_path)), 'context')
        path = osp.join(folder,
                        osp.splitext(osp.basename(img_path))[0] + '.png')
        return load_label_png(path) > 0 if osp.isfile(path) else None

    def process(self, data_batch, data_samples: Sequence) -> None:
        for ds in data_samples:
            gt = _get(ds, 'gt_sem_seg')
            tern = _get(ds, 'pred_ternary')
            if gt is None or tern is None:
                continue
            gt = (gt['data'] if isinstance(gt, dict) else gt.data)[0]
            tern = F.interpolate(tern[None].float(), size=tuple(gt.shape),
                                 mode='nearest')[0, 0].cpu().numpy()
            context = self._context(ds)
            ctx_counts = np.full(3, -1, np.int64) if context is None or \
                context.shape != tern.shape else \
                context_zone_counts(tern, context)
            self.results.append(np.concatenate(
                [zone_counts(tern, gt.cpu().numpy()), ctx_counts]))

    def compute_metrics(self, results: List[np.ndarray]) -> Dict[str, float]:
        if not results:
            return {}
        counts = np.stack(results)
        scores = zone_scores(counts[:, :6].sum(0))
        with_context = counts[:, 6] >= 0
        if with_context.any():
            scores.update(context_zone_scores(
                counts[with_context, 6:].sum(0)))
        return scores


__all__ = ['ZoneMetric', 'zone_counts', 'zone_scores',
           'context_zone_counts', 'context_zone_scores', 'ERASED',
           'POTENTIAL', 'BACKGROUND']
