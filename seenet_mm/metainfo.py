"""Dataset metadata: class names, palette, ignore index (bottom layer).

Every layer takes these constants from here; nothing here imports the rest
of the package.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

# Index = VOC id (0 = background); ids 1..20 are the image-level classes.
VOC_CLASSES: Tuple[str, ...] = (
    'background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus',
    'car', 'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike',
    'person', 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor')
IGNORE_INDEX = 255


def voc_palette() -> List[int]:
    """The 256-entry VOC colour map, flat ``[r0, g0, b0, r1, ...]``.

    Built with VOC's bit-interleaving rule (id bits spread over the high bits
    of r, g, b), so id 1 is (128, 0, 0) and 255 is (224, 224, 192).
    """
    palette = np.zeros((256, 3), dtype=np.uint8)
    for idx in range(256):
        c, r, g, b = idx, 0, 0, 0
        for shift in range(7, -1, -1):
            r |= ((c >> 0) & 1) << shift
            g |= ((c >> 1) & 1) << shift
            b |= ((c >> 2) & 1) << shift
            c >>= 3
        palette[idx] = (r, g, b)
    return palette.reshape(-1).tolist()


def class_id(name: str) -> int:
    """VOC id (1..20) of a class name; KeyError naming the valid names."""
    try:
        idx = VOC_CLASSES.index(name)
    except ValueError:
        idx = 0
    if idx == 0:
        raise KeyError(f'unknown VOC class name {name!r}; expected one of '
                       f'{", ".join(VOC_CLASSES[1:])}')
    return idx
