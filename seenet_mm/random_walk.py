"""The random walk of IRN (Ahn, Cho & Kwak, CVPR 2019) over a boundary map,
as a sparse stencil (bottom layer, torch only).

IRN propagates class maps over the pixels of a stride-4 feature map with a
transition matrix built from a boundary map B in [0, 1]:

- two pixels i, j closer than ``radius`` (and not the same) are linked with
  the affinity ``a_ij = 1 - max(B on the path from i to j)``, the path being
  the pixels within distance 1 of the segment between them; a path that
  leaves the image gives 0; every pixel is linked to itself with 1;
- ``T = a^beta``, each column divided by its sum;
- the sources ``x * (1 - B)`` are multiplied by ``T^t`` (IRN squares T
  ``exp_times`` times: ``t = 2^8 = 256``).

IRN builds T as a dense N x N matrix (N pixels). Here each pixel has
``2 * len(half_offsets(radius)) + 1`` links (69 for radius 5), so one step of
the walk is a weighted sum of shifted copies of x, and ``t`` steps cost
``O(t * N * 69)`` time and ``O(N * 69)`` memory.
"""
from __future__ import annotations

from functools import lru_cache
from typing import List, Optional, Tuple

import torch

from .metainfo import IGNORE_INDEX

#: IRN's defaults
RADIUS = 5
BETA = 10.0
STEPS = 256  # IRN's exp_times 8: 2^8
#: IRN trains its affinities between pixels closer than 10 (at stride 4)
TRAIN_RADIUS = 10


@lru_cache(maxsize=None)
def half_offsets(radius: int = RADIUS) -> Tuple[Tuple[int, int], ...]:
    """The offsets ``(dy, dx)`` from a pixel to the later pixels it is
    linked to: ``0 < dy^2 + dx^2 < radius^2`` on the lower half-plane
    (``dy > 0``, or ``dy == 0`` and ``dx > 0``). Each link is one of these
    seen from its earlier end; the other end sees ``(-dy, -dx)``."""
    if radius < 2:
        raise ValueError(f'random walk radius must be at least 2, got '
                         f'{radius}')
    out = [(0, dx) for dx in range(1, radius)]
    out += [(dy, dx) for dy in range(1, radius)
            for dx in range(-radius + 1, radius)
            if dy * dy + dx * dx < radius * radius]
    return tuple(out)


@lru_cache(maxsize=None)
def path(dy: int, dx: int) -> Tuple[Tuple[int, int], ...]:
    """The pixels between ``(0, 0)`` and ``(dy, dx)`` (both included) whose
    distance to the line through them is below 1: IRN's path of a link."""
    length_sq = dy * dy + dx * dx
    ys = range(min(0, dy), max(0, dy) + 1)
    xs = range(min(0, dx), max(0, dx) + 1)
    return tuple((y, x) for y in ys for x in xs
                 if (dy * x - dx * y) ** 2 < length_sq)


def _shifted(t: torch.Tensor, dy: int, dx: int, fill: float
             ) -> torch.Tensor:
    """``t[..., y + dy, x + dx]`` at each ``(y, x)``, ``fill`` outside."""
    h, w = t.shape[-2:]
    out = torch.full_like(t, fill)
    ys, yd = (slice(dy, h), slice(0, h - dy)) if dy >= 0 else \
        (slice(0, h + dy), slice(-dy, h))
    xs, xd = (slice(dx, w), slice(0, w - dx)) if dx >= 0 else \
        (slice(0, w + dx), slice(-dx, w))
    if ys.start < ys.stop and xs.start < xs.stop:
        out[..., yd, xd] = t[..., ys, xs]
    return out


def link_affinities(boundary: torch.Tensor, radius: int = RADIUS
                    ) -> torch.Tensor:
    """``a[k, y, x]``: the affinity between ``(y, x)`` and
    ``(y + dy_k, x + dx_k)`` for the offsets of :func:`half_offsets`, 0
    where the path leaves the image.

    Args:
        boundary: ``[..., H, W]`` in [0, 1] (leading dims: e.g. a batch).
    """
    # outside the image counts as boundary 1: affinity 0, as IRN's padding
    # with 1 gives; each path pixel is then a view of the padded map
    h, w = boundary.shape[-2:]
    pad = radius
    padded = torch.nn.functional.pad(boundary, (pad, pad, pad, pad),
                                     value=1.0)
    maxima = []
    for dy, dx in half_offsets(radius):
        peak = torch.stack([padded[..., pad + py:pad + py + h,
                                   pad + px:pad + px + w]
                            for py, px in path(dy, dx)]).amax(0)
        maxima.append(peak)
    return 1.0 - torch.stack(maxima)


def feature_affinities(feats: torch.Tensor, radius: int = RADIUS
                       ) -> torch.Tensor:
    """PSA's affinities (Ahn & Kwak, CVPR 2018): ``a[k, ..., y, x] =
    exp(-mean_c |f(y, x) - f(y + dy_k, x + dx_k)|)`` for the offsets of
    :func:`half_offsets`, 0 where the other end is outside the map (PSA
    links only pixels inside it).

    Args:
        feats: ``[..., D, H, W]`` embeddings (leading dims: e.g. a batch).
    """
    h, w = feats.shape[-2:]
    pad = radius
    padded = torch.nn.functional.pad(feats, (pad, pad, pad, pad))
    inside = torch.nn.functional.pad(
        torch.ones(h, w, dtype=feats.dtype, device=feats.device),
        (pad, pad, pad, pad))
    out = []
    for dy, dx in half_offsets(radius):
        other = padded[..., pad + dy:pad + dy + h, pad + dx:pad + dx + w]
        aff = torch.exp(-(feats - other).abs().mean(-3))
        out.append(aff * inside[pad + dy:pad + dy + h, pad + dx:pad + dx + w])
    return torch.stack(out)


def pair_labels(labels: torch.Tensor, radius: int = TRAIN_RADIUS,
                ignore_index: int = IGNORE_INDEX
                ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """IRN's affinity labels of the links of :func:`half_offsets`, from a
    seed label map: for each link from ``p`` to ``p + d_k``,

    - background-positive: both ends background (0);
    - foreground-positive: both ends the same class (> 0);
    - negative: the ends differ (any classes, the background included);

    a link with an end labelled ``ignore_index`` or outside the map is none
    of them.

    Args:
        labels: integer ``[..., H, W]`` (0 background, classes, 255).
        radius: links reach pixels closer than this (IRN: 10).

    Returns:
        three bool ``[K, ..., H, W]`` (background-positive,
        foreground-positive, negative), ``K = len(half_offsets(radius))``,
        indexed as :func:`link_affinities`.
    """
    if labels.dtype.is_floating_point:
        raise TypeError('pair_labels: integer labels expected, got '
                        f'{labels.dtype}')
    other = torch.stack([_shifted(labels, dy, dx, ignore_index)
                         for dy, dx in half_offsets(radius)])
    valid = (labels != ignore_index) & (other != ignore_index)
    same = labels == other
    background = valid & same & (labels == 0)
    foreground = valid & same & (labels != 0)
    negative = valid & ~same
    return background, foreground, negative


def transition_weights(boundary: torch.Tensor, radius: int = RADIUS,
                       beta: float = BETA
                       ) -> Tuple[List[Tuple[int, int]], torch.Tensor]:
    """The walk's stencil over a boundary map (IRN): offsets ``(dy, dx)``
    (self first, then each link from both ends) and weights ``w[k, y, x]``
    such that one step is ``x'(p) = sum_k w[k, p] * x(p + offset_k)``, i.e.
    ``x @ T`` with IRN's column-normalised ``T``.

    Args:
        boundary: ``[H, W]`` in [0, 1].
        radius: links reach pixels closer than this.
        beta: the power of the affinities.
    """
    return link_weights(link_affinities(boundary, radius), radius, beta)


def link_weights(links: torch.Tensor, radius: int = RADIUS,
                 beta: float = BETA
                 ) -> Tuple[List[Tuple[int, int]], torch.Tensor]:
    """:func:`transition_weights` from any link affinities ``[K, H, W]``
    (indexed as :func:`half_offsets` of ``radius``; IRN's from a boundary
    map, PSA's from features), each pixel linked to itself with 1."""
    if beta <= 0:
        raise ValueError(f'random walk beta must be > 0, got {beta}')
    if links.dim() != 3 or links.shape[0] != len(half_offsets(radius)):
        raise ValueError(f'random walk: {tuple(links.shape)} link '
                         f'affinities for radius {radius} (expected '
                         f'{len(half_offsets(radius))} links per pixel)')
    aff = links.clamp(min=0) ** beta
    offsets = [(0, 0)]
    weights = [torch.ones_like(links[0])]
    for k, (dy, dx) in enumerate(half_offsets(radius)):
        # p links forward to p + d with aff[k, p], and back to p - d with
        # the affinity its earlier end p - d holds
        offsets.append((dy, dx))
        weights.append(aff[k])
        offsets.append((-dy, -dx))
        weights.append(_shifted(aff[k], -dy, -dx, 0.0))
    w = torch.stack(weights)
    return offsets, w / w.sum(0, keepdim=True)


def random_walk(x: torch.Tensor, boundary: torch.Tensor,
                radius: int = RADIUS, beta: float = BETA,
                steps: int = STEPS) -> torch.Tensor:
    """Propagate ``x`` over ``boundary`` by IRN's random walk.

    Args:
        x: ``[C, H, W]`` maps (class maps, or any channels: the walk is
            linear per channel), at the boundary's size.
        boundary: ``[H, W]`` in [0, 1].
        radius, beta: of the transition (IRN: 5, 10).
        steps: the walk's length ``t`` (IRN: 256).

    Returns:
        ``[C, H, W]``: ``(x * (1 - boundary)) @ T^steps`` per channel.
    """
    if x.dim() != 3 or x.shape[-2:] != boundary.shape:
        raise ValueError(f'random walk: maps of {tuple(x.shape)} for a '
                         f'boundary of {tuple(boundary.shape)}')
    return walk_links(x * (1 - boundary), link_affinities(boundary, radius),
                      radius, beta, steps)


def walk_links(x: torch.Tensor, links: torch.Tensor, radius: int = RADIUS,
               beta: float = BETA, steps: int = STEPS) -> torch.Tensor:
    """``x @ T^steps`` per channel, ``T`` from the link affinities
    ``[K, H, W]`` (:func:`link_weights`); ``x`` ``[C, H, W]``."""
    if x.dim() != 3 or x.shape[-2:] != links.shape[-2:]:
        raise ValueError(f'random walk: maps of {tuple(x.shape)} for links '
                         f'of {tuple(links.shape)}')
    if steps < 1:
        raise ValueError(f'random walk steps must be >= 1, got {steps}')
    offsets, w = link_weights(links, radius, beta)
    h, width = links.shape[-2:]
    pad = radius - 1
    for _ in range(steps):
        xp = torch.nn.functional.pad(x, (pad, pad, pad, pad))
        out = torch.zeros_like(x)
        for k, (dy, dx) in enumerate(offsets):
            out += w[k] * xp[:, pad + dy:pad + dy + h,
                             pad + dx:pad + dx + width]
        x = out
    return x


def propagate_maps(maps: torch.Tensor, boundary: torch.Tensor,
                   radius: int = RADIUS, beta: float = BETA,
                   steps: int = STEPS) -> torch.Tensor:
    """IRN's propagation of image-sized maps over a coarser boundary map:
    the maps are averaged down to the boundary's grid (IRN's CAMs are made
    there), walked (:func:`random_walk`), and brought back up bilinearly by
    the grid's stride and cropped to the image (IRN's ``rw_up``).

    Args:
        maps: ``[C, H, W]``.
        boundary: ``[h, w]`` in [0, 1] with ``h = ceil(H / s)`` and
            ``w = ceil(W / s)`` for the integer stride ``s`` (IRN: 4).

    Returns:
        ``[C, H, W]``, not normalised.
    """
    return propagate_links(maps, link_affinities(boundary.float(), radius),
                           1 - boundary.float(), radius, beta, steps)


def propagate_links(maps: torch.Tensor, links: torch.Tensor,
                    source_weight: Optional[torch.Tensor] = None,
                    radius: int = RADIUS, beta: float = BETA,
                    steps: int = STEPS) -> torch.Tensor:
    """:func:`propagate_maps` over any link affinities ``[K, h, w]`` of
    ``radius`` (IRN's from a boundary map, PSA's from features): down to
    the links' grid, times ``source_weight`` ``[h, w]`` (IRN: ``1 - B``;
    None: PSA, the maps as they are), walked (:func:`walk_links`), back up
    by the stride and cropped to ``maps``' size."""
    import torch.nn.functional as F
    c, height, width = maps.shape
    h, w = links.shape[-2:]
    stride = -(-height // h)
    if (-(-height // stride), -(-width // stride)) != (h, w):
        raise ValueError(f'propagate_maps: maps of {height}x{width} do not '
                         f'fit a link grid of {h}x{w} at any stride')
    if c == 0:
        return maps.clone()
    small = F.interpolate(maps[None].float(), size=(h, w), mode='area')[0]
    if source_weight is not None:
        small = small * source_weight
    walked = walk_links(small, links.float(), radius, beta, steps)
    up = F.interpolate(walked[None], scale_factor=stride, mode='bilinear',
                       align_corners=False)[0]
    return up[:, :height, :width]


__all__ = ['RADIUS', 'BETA', 'STEPS', 'TRAIN_RADIUS', 'half_offsets', 'path',
           'link_affinities', 'feature_affinities', 'pair_labels',
           'transition_weights', 'link_weights', 'random_walk', 'walk_links',
           'propagate_maps', 'propagate_links']
