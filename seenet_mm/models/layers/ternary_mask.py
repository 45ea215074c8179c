"""Masks derived from S_A's attention (SeeNet Sec. 3.2, Fig. 2).

All functions run under ``torch.no_grad`` and work per sample: for each
image only its ground-truth classes count; each class map is clipped at 0
and divided by its own spatial maximum (``norm='max'``,
docs/paper_notes.md; ``'minmax'`` as ACoL does for its erasing); the image's
attention ``A`` is the maximum over its classes, in [0, 1].
"""
from typing import Optional, Tuple

import torch

from .attention_fusion import normalize_maps


def _check(score_maps: torch.Tensor, labels: torch.Tensor) -> None:
    if score_maps.dim() != 4:
        raise ValueError('score_maps must be [N, M, H, W], got '
                         f'{tuple(score_maps.shape)}')
    if tuple(labels.shape) != tuple(score_maps.shape[:2]):
        raise ValueError(f'labels must be [N, M] = '
                         f'{tuple(score_maps.shape[:2])}, got '
                         f'{tuple(labels.shape)}')


@torch.no_grad()
def normalized_attention(score_maps: torch.Tensor, labels: torch.Tensor,
                         norm: str = 'max'
                         ) -> Tuple[torch.Tensor, torch.Tensor]:
    """The image attention ``A`` in [0, 1] over its ground-truth classes.

    Args:
        score_maps: S_A's class score maps ``[N, M, H, W]`` (before pooling).
        labels: multi-hot ``[N, M]``.
        norm: per-class normalisation, ``max`` (clip at 0, divide by the
            max) or ``minmax``.

    Returns:
        tuple: ``A`` ``[N, 1, H, W]`` (0 for images without labels) and a
        bool ``[N]`` telling which images have at least one label.
    """
    _check(score_maps, labels)
    normed = normalize_maps(score_maps.detach().float(), norm)
    keep = (labels > 0).to(normed.dtype)[:, :, None, None]
    att = (normed * keep).amax(dim=1, keepdim=True)
    return att, labels.gt(0).any(dim=1)


@torch.no_grad()
def quantile_low(score_maps: torch.Tensor, labels: torch.Tensor,
                 low: float = 0.05, quantile: float = 0.25,
                 norm: str = 'max', high: Optional[float] = None
                 ) -> torch.Tensor:
    """A background threshold relative to each image's own attention
    (an option beyond the paper): ``δl_n = max(δl, q-quantile of
    A_n)``, with A_n the image's normalised attention (as T_A's) over its
    feature map. Where the paper's fixed δl leaves the background zone
    nearly empty (warm maps of a network that scores the whole image
    positive), the zone then holds at least about ``quantile`` of the map
    (less where values tie at the quantile); where the map is cold already,
    δl stays the paper's. With ``high`` (δh) the result is at most δh, so
    that the erased zone keeps its definition.

    Returns:
        torch.Tensor: float ``[N, 1, 1, 1]``.
    """
    if not 0 <= quantile <= 1:
        raise ValueError(f'quantile_low: quantile must be in [0, 1], got '
                         f'{quantile}')
    att, _ = normalized_attention(score_maps, labels, norm)
    q = torch.quantile(att.flatten(1), quantile, dim=1).clamp(min=low)
    if high is not None:
        q = q.clamp(max=high)
    return q.view(-1, 1, 1, 1)


def _check_low_high(low, high) -> None:
    low_t = torch.as_tensor(low, dtype=torch.float32)
    if not (bool((low_t >= 0).all()) and bool((low_t <= high).all())):
        raise ValueError(f'ternary_mask: need 0 <= low <= high, got '
                         f'low={low}, high={high}')


@torch.no_grad()
def ternary_mask(score_maps: torch.Tensor, labels: torch.Tensor,
                 high: float = 0.7, low=0.05,
                 norm: str = 'max') -> torch.Tensor:
    """``T_A`` of SeeNet (Eqn. 2): 0 erased, 1 potential, -1 background.

    Args:
        score_maps: S_A's class score maps ``[N, M, H, W]``.
        labels: multi-hot ``[N, M]``.
        high: δh; ``A >= high`` is the erased (attention) zone.
        low: δl; ``A < low`` is the background zone. A float, or one
            threshold per image ``[N, 1, 1, 1]`` (:func:`quantile_low`).
        norm: normalisation of each class map (``max``: the paper's, as
            docs/paper_notes.md; ``minmax``).

    Returns:
        torch.Tensor: float ``[N, 1, H, W]``; all ones for an image without
        labels (nothing erased).
    """
    _check_low_high(low, high)
    att, has_label = normalized_attention(score_maps, labels, norm)
    mask = torch.ones_like(att)
    mask[att >= high] = 0
    mask[att < low] = -1
    mask[~has_label] = 1
    return mask


@torch.no_grad()
def background_mask(score_maps: torch.Tensor, labels: torch.Tensor,
                    thr=0.375, norm: str = 'max') -> torch.Tensor:
    """``B_bg`` of strategy II: 1 where ``A < thr``, else 0.

    The default threshold is (δh + δl) / 2 = (0.7 + 0.05) / 2; ``thr`` may
    be one value per image ``[N, 1, 1, 1]``. An image without labels gets
    all zeros (no zone is defined without a class).
    """
    att, has_label = normalized_attention(score_maps, labels, norm)
    mask = (att < thr).to(att.dtype)
    mask[~has_label] = 0
    return mask
