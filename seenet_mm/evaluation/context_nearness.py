"""Cue or nearness: background pixels at the same distance from the objects,
class-correlated context against plain background.

On the context toy set the context bands touch the objects, and T_A lives on
a coarse feature grid (14 x 14 on the toy). Context may look attended only
because it is next to an object. Comparing context and plain background
within the same distance band from the nearest object pixel separates the
two: if both fare alike in a band, nearness explains it; if context is more
attended than plain background at the same distance, the network uses it as
a class cue.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

# distance bands from the nearest object pixel, in pixels: lo <= d < hi
# (the distances are Euclidean, not whole numbers)
DISTANCE_BANDS: Tuple[Tuple[int, int], ...] = ((1, 5), (5, 9), (9, 17),
                                               (17, 33))
GROUPS = ('context', 'plain')
# T_A's values: 0 erased, 1 potential, -1 background
ZONE_VALUES = (('erased', 0), ('potential', 1), ('bg', -1))


def object_distance(gt: np.ndarray) -> np.ndarray:
    """Float32 ``[H, W]``: the Euclidean distance of each pixel to the
    nearest object pixel (values 1..254 of ``gt``), 0 on objects; +inf
    everywhere when the image has no object."""
    objects = (gt > 0) & (gt < 255)
    if not objects.any():
        return np.full(gt.shape, np.inf, np.float32)
    return cv2.distanceTransform((~objects).astype(np.uint8), cv2.DIST_L2,
                                 cv2.DIST_MASK_PRECISE)


class NearnessCounter:
    """Accumulates, per distance band and group (context, plain background:
    ``gt == 0`` pixels in or out of the context mask), the pixel count, the
    count in each of T_A's zones and the sums of M_A and M_B.

    Args:
        bands: distance bands ``(lo, hi)`` in pixels, ``lo <= d < hi``
            (:data:`DISTANCE_BANDS`).
    """

    def __init__(self, bands: Sequence[Tuple[int, int]] = DISTANCE_BANDS
                 ) -> None:
        self.bands = tuple(tuple(b) for b in bands)
        # [band, group, (pixels, erased, potential, bg, sum M_A, sum M_B)]
        self.sums = np.zeros((len(self.bands), len(GROUPS), 6), np.float64)
        self.has_b = False

    def add(self, gt: np.ndarray, context: np.ndarray, ternary: np.ndarray,
            m_a: np.ndarray, m_b: Optional[np.ndarray] = None) -> None:
        """One image: ``gt`` ``[H, W]`` (0 background, 1..M, 255 ignored),
        ``context`` bool ``[H, W]``, ``ternary`` T_A ``[H, W]`` at the
        image's size, M_A (and M_B) ``[H, W]`` in [0, 1]."""
        for name, arr in (('context', context), ('ternary', ternary),
                          ('M_A', m_a), ('M_B', m_b)):
            if arr is not None and arr.shape != gt.shape:
                raise ValueError(f'{name} {arr.shape} and the mask '
                                 f'{gt.shape} differ in size')
        dist = object_distance(gt)
        background = gt == 0
        context = np.asarray(context, bool)
        self.has_b = self.has_b or m_b is not None
        for i, (lo, hi) in enumerate(self.bands):
            band = background & (dist >= lo) & (dist < hi)
            for j, group in enumerate((band & context, band & ~context)):
                row = [group.sum()]
                row += [(group & (ternary == v)).sum() for _, v in ZONE_VALUES]
                row += [m_a[group].astype(np.float64).sum(),
                        0.0 if m_b is None else
                        m_b[group].astype(np.float64).sum()]
                self.sums[i, j] += row

    def results(self) -> List[Dict[str, object]]:
        """One dict per band and group: ``band`` ``[lo, hi]``, ``group``,
        ``pixels``, ``bg_zone`` / ``potential_zone`` / ``erased_zone`` (%
        of the group's pixels), ``mean_M_A`` and ``mean_M_B`` (None
        without M_B); the shares and means are None for an empty group."""
        rows = []
        for i, band in enumerate(self.bands):
            for j, group in enumerate(GROUPS):
                n, erased, potential, bg, sa, sb = self.sums[i, j]

                def share(v, n=n):
                    return float(100.0 * v / n) if n else None

                rows.append(dict(
                    band=list(band), group=group, pixels=int(n),
                    bg_zone=share(bg), potential_zone=share(potential),
                    erased_zone=share(erased),
                    mean_M_A=float(sa / n) if n else None,
                    mean_M_B=float(sb / n) if n and self.has_b else None))
        return rows
