"""Reading saliency maps and writing VOC-palette label PNGs."""
from __future__ import annotations

import os
import os.path as osp
from typing import Optional, Tuple

import cv2
import numpy as np
from PIL import Image

from ..toy.voc import voc_palette

_PALETTE = voc_palette()


def load_saliency(path: str, size: Optional[Tuple[int, int]] = None
                  ) -> Tuple[np.ndarray, bool]:
    """Grey saliency PNG as float32 ``[H, W]`` in [0, 1].

    Args:
        path: the PNG (grey 0..255; colour images are converted).
        size: ``(H, W)`` wanted; a map of another size is resized to it
            (bilinear).

    Returns:
        tuple: the map and whether it was resized.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'saliency map not found: {path}')
    try:
        with Image.open(path) as im:
            sal = np.asarray(im.convert('L'), dtype=np.float32) / 255.0
    except Exception as err:
        raise ValueError(f'{path}: not a readable saliency image ({err})'
                         ) from err
    resized = False
    if size is not None and sal.shape != tuple(size):
        sal = cv2.resize(sal, (size[1], size[0]),
                         interpolation=cv2.INTER_LINEAR)
        resized = True
    return np.clip(sal, 0, 1), resized


def save_label_png(path: str, label: np.ndarray) -> None:
    """Write a uint8 label map as a VOC-palette ('P') PNG, atomically."""
    img = Image.fromarray(np.asarray(label, dtype=np.uint8), mode='P')
    img.putpalette(_PALETTE)
    tmp = osp.join(osp.dirname(path) or '.', '.' + osp.basename(path) +
                   '.tmp')
    img.save(tmp, format='PNG')
    os.replace(tmp, path)


def load_label_png(path: str) -> np.ndarray:
    """uint8 ``[H, W]`` class indices of a palette PNG (or grey PNG)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'label map not found: {path}')
    with Image.open(path) as im:
        if im.mode not in ('P', 'L'):
            raise ValueError(f'{path}: expected a palette or grey PNG of '
                             f'class indices, got mode {im.mode}')
        return np.asarray(im, dtype=np.uint8)
