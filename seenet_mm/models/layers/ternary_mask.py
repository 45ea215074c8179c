"""Masks derived from S_A's attention (SeeNet Sec. 3.2, Fig. 2).

All functions run under ``torch.no_grad`` and work per sample: for each
image only its ground-truth classes count; each class map is clipped at 0
and divided by its own spatial maximum (``norm='max'``, NOTES; ``'minmax'``
as ACoL does for its erasing); the image's attention ``A`` is the maximum
over its classes, in [0, 1].
"""
from typing import Tuple

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
def ternary_mask(score_maps: torch.Tensor, labels: torch.Tensor,
                 high: float = 0.7, low: float = 0.05,
                 norm: str = 'max') -> torch.Tensor:
    """``T_A`` of SeeNet (Eqn. 2): 0 erased, 1 potential, -1 background.

    Args:
        score_maps: S_A's class score maps ``[N, M, H, W]``.
        labels: multi-hot ``[N, M]``.
        high: δh; ``A >= high`` is the erased (attention) zone.
        low: δl; ``A < low`` is the background zone.
        norm: normalisation of each class map (``max``: the paper's, as
            NOTES; ``minmax``).

    Returns:
        torch.Tensor: float ``[N, 1, H, W]``; all ones for an image without
        labels (nothing erased).
    """
    if not 0 <= low <= high:
        raise ValueError(f'ternary_mask: need 0 <= low <= high, got '
                         f'low={low}, high={high}')
    att, has_label = normalized_attention(score_maps, labels, norm)
    mask = torch.ones_like(att)
    mask[att >= high] = 0
    mask[att < low] = -1
    mask[~has_label] = 1
    return mask


@torch.no_grad()
def background_mask(score_maps: torch.Tensor, labels: torch.Tensor,
                    thr: float = 0.375, norm: str = 'max') -> torch.Tensor:
    """``B_bg`` of strategy II: 1 where ``A < thr``, else 0.

    The default threshold is (δh + δl) / 2 = (0.7 + 0.05) / 2. An image
    without labels gets all zeros (no zone is defined without a class).
    """
    att, has_label = normalized_attention(score_maps, labels, norm)
    mask = (att < thr).to(att.dtype)
    mask[~has_label] = 0
    return mask
