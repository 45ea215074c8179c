"""COCO regions (polygons, RLE) drawn into one semantic mask per image.

The mask rules of tools/convert_coco.py: 0 background, class
index + 1 for an instance, 255 for a crowd region; where regions overlap,
the smaller one (in decoded pixels) lies on top, crowd regions under the
same rule; equal areas: the later annotation on top. Decoding is
``pycocotools.mask``'s (imported on first use).
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import numpy as np

from ..metainfo import IGNORE_INDEX

# one annotation of an image: (class index, is crowd, segmentation)
Instance = Tuple[int, bool, Any]


class CocoFormatError(ValueError):
    """An annotation file or image folder that cannot be converted; the
    message names the file and the entry."""


def pycocotools_mask():
    """``pycocotools.mask``, or an ImportError saying what to install."""
    try:
        from pycocotools import mask
    except ImportError:
        raise ImportError(
            'COCO conversion needs pycocotools: pip install "pycocotools" '
            '(or pip install -e ".[coco]")') from None
    return mask


def check_segmentation(seg: Any, height: int, width: int, where: str
                       ) -> None:
    """Raise :class:`CocoFormatError` (prefixed with ``where``) unless
    ``seg`` is polygons ``[[x, y, ...], ...]`` or an RLE ``{size, counts}``
    of an image of ``height`` x ``width``."""
    if isinstance(seg, list):
        for poly in seg:
            if not (isinstance(poly, list) and len(poly) % 2 == 0 and
                    all(isinstance(v, (int, float)) for v in poly)):
                raise CocoFormatError(f'{where}: a polygon must be a list '
                                      'of x, y numbers')
    elif isinstance(seg, dict):
        counts = seg.get('counts')
        if not isinstance(counts, (list, str)):
            raise CocoFormatError(f'{where}: RLE "counts" must be a list or '
                                  'a string')
        if list(seg.get('size', ())) != [height, width]:
            raise CocoFormatError(f'{where}: RLE size {seg.get("size")} '
                                  f'differs from its image '
                                  f'[{height}, {width}]')
        if isinstance(counts, list) and sum(counts) != height * width:
            raise CocoFormatError(f'{where}: RLE counts sum to '
                                  f'{sum(counts)}, not {height} x {width}')
    else:
        raise CocoFormatError(f'{where}: no "segmentation" (polygons or '
                              'RLE)')


def segmentation_mask(seg: Any, height: int, width: int) -> np.ndarray:
    """One annotation's region as bool ``[H, W]``.

    Args:
        seg: polygons (list of ``[x1, y1, x2, y2, ...]``), uncompressed RLE
            (``counts`` a list, column-major runs starting with zeros) or
            compressed RLE (``counts`` a string).
        height: image height H.
        width: image width W.
    """
    mask_utils = pycocotools_mask()
    if isinstance(seg, list):
        # fewer than 3 points enclose nothing; pycocotools would also read
        # a list whose first entry has 4 numbers as boxes
        polys = [[float(v) for v in p] for p in seg if len(p) >= 6]
        if not polys:
            return np.zeros((height, width), dtype=bool)
        rle = mask_utils.merge(mask_utils.frPyObjects(polys, height, width))
    elif isinstance(seg['counts'], list):
        rle = mask_utils.frPyObjects(seg, height, width)
    else:
        rle = dict(size=[height, width], counts=seg['counts'].encode())
    return mask_utils.decode(rle).astype(bool)


def draw_mask(instances: Sequence[Instance], height: int, width: int
              ) -> np.ndarray:
    """The semantic mask of one image, uint8 ``[H, W]``: 0 background,
    index + 1 for an instance, 255 for a crowd region; the smaller region
    on top where regions overlap (equal areas: the later one on top)."""
    regions = []
    for cls, crowd, seg in instances:
        region = segmentation_mask(seg, height, width)
        regions.append((int(region.sum()), IGNORE_INDEX if crowd else cls + 1,
                        region))
    out = np.zeros((height, width), dtype=np.uint8)
    for _, value, region in sorted(regions, key=lambda r: -r[0]):  # stable
        out[region] = value
    return out


__all__ = ['CocoFormatError', 'Instance', 'check_segmentation',
           'pycocotools_mask', 'segmentation_mask', 'draw_mask']
