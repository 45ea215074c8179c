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
from typing import List, Tuple

import torch

#: IRN's defaults
RADIUS = 5
BETA = 10.0
STEPS = 256  # IRN's exp_times 8: 2^8


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
        boundary: ``[H, W]`` in [0, 1].
    """
    maxima = []
    for dy, dx in half_offsets(radius):
        # outside the image counts as boundary 1: affinity 0, as IRN's
        # padding with 1 gives
        peak = torch.stack([_shifted(boundary, py, px, 1.0)
                            for py, px in path(dy, dx)]).amax(0)
        maxima.append(peak)
    return 1.0 - torch.stack(maxima)


def transition_weights(boundary: torch.Tensor, radius: int = RADIUS,
                       beta: float = BETA
                       ) -> Tuple[List[Tuple[int, int]], torch.Tensor]:
    """The walk's stencil: offsets ``(dy, dx)`` (self first, then each link
    from both ends) and weights ``w[k, y, x]`` such that one step is
    ``x'(p) = sum_k w[k, p] * x(p + offset_k)``, i.e. ``x @ T`` with IRN's
    column-normalised ``T``.

    Args:
        boundary: ``[H, W]`` in [0, 1].
        radius: links reach pixels closer than this.
        beta: the power of the affinities.
    """
    if beta <= 0:
        raise ValueError(f'random walk beta must be > 0, got {beta}')
    aff = link_affinities(boundary, radius).clamp(min=0) ** beta
    offsets = [(0, 0)]
    weights = [torch.ones_like(boundary)]
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
    if steps < 1:
        raise ValueError(f'random walk steps must be >= 1, got {steps}')
    offsets, w = transition_weights(boundary, radius, beta)
    x = x * (1 - boundary)
    h, width = boundary.shape
    pad = radius - 1
    for _ in range(steps):
        xp = torch.nn.functional.pad(x, (pad, pad, pad, pad))
        out = torch.zeros_like(x)
        for k, (dy, dx) in enumerate(offsets):
            out += w[k] * xp[:, pad + dy:pad + dy + h,
                             pad + dx:pad + dx + width]
        x = out
    return x


__all__ = ['RADIUS', 'BETA', 'STEPS', 'half_offsets', 'path',
           'link_affinities', 'transition_weights', 'random_walk']
