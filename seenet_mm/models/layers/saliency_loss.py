"""The saliency background loss, an option beyond the paper (off by
default): at the feature cells where an image's saliency is low, its
ground-truth classes' score maps are pushed towards zero.

SeeNet uses saliency only after training (Algorithm 1). EPS ("Railroad is
not a Train", CVPR 2021) names class-correlated context as the main limit of
attention seeds and uses saliency while the classifier trains; this is a
one-sided form of that idea. Saliency maps miss object parts and fire on
some context, so the loss only says "not this class" where the saliency is
low, and never teaches high-saliency cells as foreground.
"""
from typing import Dict, Optional

import torch
import torch.nn.functional as F

SALIENCY_LOSS_KINDS = ('bce', 'mse')
SALIENCY_LOSS_BRANCHES = ('a', 'b')
# the keys of SeeNet's saliency_loss dict and their defaults
SALIENCY_LOSS_DEFAULTS = dict(low=0.2, weight=1.0, kind='bce',
                              branches=('a', ))


def check_saliency_loss(cfg: Optional[dict]) -> Optional[Dict]:
    """``cfg`` completed with :data:`SALIENCY_LOSS_DEFAULTS`, or None (off);
    a ValueError naming the key for anything else."""
    if cfg is None:
        return None
    unknown = set(cfg) - set(SALIENCY_LOSS_DEFAULTS)
    if unknown:
        raise ValueError(f'saliency_loss: unknown keys {sorted(unknown)} '
                         f'(known: {sorted(SALIENCY_LOSS_DEFAULTS)})')
    out = dict(SALIENCY_LOSS_DEFAULTS, **cfg)
    if not 0 < float(out['low']) <= 1:
        raise ValueError(f'saliency_loss.low must be in (0, 1], got '
                         f'{out["low"]}')
    if float(out['weight']) < 0:
        raise ValueError(f'saliency_loss.weight must be >= 0, got '
                         f'{out["weight"]}')
    if out['kind'] not in SALIENCY_LOSS_KINDS:
        raise ValueError(f'saliency_loss.kind must be one of '
                         f'{SALIENCY_LOSS_KINDS}, got {out["kind"]!r}')
    branches = tuple(out['branches'])
    if not branches or set(branches) - set(SALIENCY_LOSS_BRANCHES):
        raise ValueError(f'saliency_loss.branches must be a non-empty '
                         f'subset of {SALIENCY_LOSS_BRANCHES}, got '
                         f'{out["branches"]!r}')
    out['branches'] = branches
    return out


def low_saliency_cells(saliency: torch.Tensor, size, low: float
                       ) -> torch.Tensor:
    """Bool ``[N, 1, h, w]``: the feature cells whose mean saliency (area
    average of the ``[N, 1, H, W]`` map over the cell) is below ``low``."""
    cells = F.adaptive_avg_pool2d(saliency.float(), tuple(size))
    return cells < low


def saliency_background_loss(score_maps: torch.Tensor, labels: torch.Tensor,
                             low_cells: torch.Tensor, kind: str = 'bce'
                             ) -> torch.Tensor:
    """The mean, over the low-saliency cells of each image and its
    ground-truth classes, of the class probability's loss towards 0:
    ``bce``: ``-log(1 - sigmoid(s)) = softplus(s)``; ``mse``:
    ``sigmoid(s) ** 2``.

    Args:
        score_maps: a branch's class score maps ``[N, M, h, w]``.
        labels: multi-hot ``[N, M]``.
        low_cells: bool ``[N, 1, h, w]`` (:func:`low_saliency_cells`).
        kind: ``bce`` or ``mse``.

    Returns:
        A scalar; 0 (still in the graph) where no cell of a labelled class
        is low.
    """
    if kind not in SALIENCY_LOSS_KINDS:
        raise ValueError(f'kind must be one of {SALIENCY_LOSS_KINDS}, got '
                         f'{kind!r}')
    s = score_maps.float()
    per = F.softplus(s) if kind == 'bce' else torch.sigmoid(s) ** 2
    weight = (labels > 0).to(s.dtype)[:, :, None, None] * \
        low_cells.to(s.dtype)
    count = weight.sum()
    if count == 0:
        return (s * 0).sum()
    return (per * weight).sum() / count
