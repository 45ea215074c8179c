"""The test-time fusion of SeeNet's attention maps (paper Sec. 3.4).

"M_A and M_B are normalised to [0, 1] and fused by max": each class map of
each branch is normalised on its own, the branches are fused by their
element-wise maximum, and only the image's classes are kept. This module is
the one home of that rule: ``SeeNet.predict``, the attention inferencer,
``AttentionSeedMetric``, the gallery and the snapshot hook all call
:func:`fuse_attention`.
"""
from __future__ import annotations

from typing import Optional, Sequence

import torch

EPS = 1e-5
NORMS = ('minmax', 'max', 'clip-minmax')


def normalize_maps(maps: torch.Tensor, method: str = 'minmax'
                   ) -> torch.Tensor:
    """Per-map normalisation of ``[..., h, w]`` to [0, 1].

    ``minmax``: (m - min) / (max - min) (paper); ``max``: clip at 0 and
    divide by the max (the authors' notebook); ``clip-minmax``: clip at 0,
    then min-max (the authors' released ``crelu_layer.py``; the same as
    ``max`` unless no cell of the map is <= 0). Constant maps become 0.
    """
    if method == 'clip-minmax':
        return normalize_maps(maps.clamp(min=0), 'minmax')
    if method == 'minmax':
        low = maps.amin(dim=(-2, -1), keepdim=True)
        high = maps.amax(dim=(-2, -1), keepdim=True)
        return (maps - low) / (high - low).clamp(min=EPS)
    if method == 'max':
        maps = maps.clamp(min=0)
        return maps / maps.amax(dim=(-2, -1), keepdim=True).clamp(min=EPS)
    raise ValueError(f"normalize_maps: method must be one of {NORMS}, "
                     f'got {method!r}')


@torch.no_grad()
def fuse_attention(branch_maps: Sequence[Optional[torch.Tensor]],
                   labels: torch.Tensor, norm: str = 'minmax'
                   ) -> torch.Tensor:
    """``M_F = max(norm(M_A), norm(M_B))`` over the image's classes.

    Args:
        branch_maps: class score maps ``[N, M, h, w]`` of the branches to
            fuse (e.g. ``[maps_a, maps_b]``; ``None`` entries are skipped,
            so a ``cam`` model passes ``[maps_a, None]``).
        labels: multi-hot ``[N, M]``: the classes to keep (the image's).
        norm: ``minmax`` (paper) or ``max`` per-class normalisation.

    Returns:
        torch.Tensor: float ``[N, M, h, w]`` in [0, 1]; 0 for the classes
        not in ``labels``.
    """
    maps = [m for m in branch_maps if m is not None]
    if not maps:
        raise ValueError('fuse_attention: no branch maps given')
    if tuple(labels.shape) != tuple(maps[0].shape[:2]):
        raise ValueError(f'fuse_attention: labels must be [N, M] = '
                         f'{tuple(maps[0].shape[:2])}, got '
                         f'{tuple(labels.shape)}')
    fused = normalize_maps(maps[0].float(), norm)
    for m in maps[1:]:
        fused = torch.maximum(fused, normalize_maps(m.float(), norm))
    keep = (labels > 0).to(fused.dtype)[:, :, None, None]
    return fused * keep
