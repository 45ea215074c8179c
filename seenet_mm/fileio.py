"""The file formats between the stages, and one atomic writer (bottom layer).

- attention files ``<name>.npz``: ``{classes int64 [K] (ids 1..M),
  attention float16 [K, H, W] in [0, 1], ori_shape int64 (H, W)}``;
- label PNGs: palette ('P') PNGs of class indices, 255 = ignore;
- saliency maps: grey PNGs, 0..255.

Every writer goes through :func:`atomic_write`: the file appears complete
under its name or not at all, so a killed job never leaves half a file.
"""
from __future__ import annotations

import contextlib
import json
import os
import os.path as osp
from typing import Any, IO, Iterator, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

from .metainfo import VOC_CLASSES, voc_palette

ATTENTION_KEYS = ('classes', 'attention')  # + 'ori_shape' (H, W)
_PALETTE = voc_palette()


@contextlib.contextmanager
def atomic_write(path: str, mode: str = 'wb') -> Iterator[IO]:
    """Open a hidden temporary file beside ``path``; rename it to ``path``
    when the block ends without error, remove it otherwise.

    Args:
        path: the final file.
        mode: ``'wb'`` or ``'w'``.
    """
    folder = osp.dirname(path) or '.'
    tmp = osp.join(folder, f'.{osp.basename(path)}.{os.getpid()}.tmp')
    try:
        with open(tmp, mode) as f:
            yield f
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)


def write_json(path: str, obj: Any, indent: Optional[int] = 1) -> None:
    """``json.dump`` through :func:`atomic_write`."""
    with atomic_write(path, 'w') as f:
        json.dump(obj, f, indent=indent)


def write_text(path: str, text: str) -> None:
    """A text file through :func:`atomic_write`."""
    with atomic_write(path, 'w') as f:
        f.write(text)


def write_image(path: str, rgb: np.ndarray) -> None:
    """An RGB uint8 ``[H, W, 3]`` array as a PNG (or the format of the
    suffix), through :func:`atomic_write`."""
    ext = osp.splitext(path)[1] or '.png'
    ok, buf = cv2.imencode(ext, cv2.cvtColor(np.ascontiguousarray(rgb),
                                             cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError(f'{path}: cannot encode the image as {ext}')
    with atomic_write(path) as f:
        f.write(buf.tobytes())


# ----------------------------------------------------------------------
# attention files
# ----------------------------------------------------------------------
def save_attention(path: str, classes: Sequence[int], attention: np.ndarray
                   ) -> None:
    """Write ``{classes, attention (float16), ori_shape}`` atomically."""
    attention = np.asarray(attention)
    with atomic_write(path) as f:
        np.savez(f, classes=np.asarray(classes, dtype=np.int64),
                 attention=attention.astype(np.float16),
                 ori_shape=np.asarray(attention.shape[1:], dtype=np.int64))


def load_attention(path: str, num_classes: int = len(VOC_CLASSES) - 1
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Read an attention file; returns ``(classes int64 [K], attention
    float32 [K, H, W])``. Wrong or missing keys, shapes or values are one
    ``ValueError`` naming the file.

    Args:
        path: the ``.npz`` file.
        num_classes: M; class ids must lie in 1..M (VOC: 20).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'attention file not found: {path}')
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
    except Exception as err:  # not a zip, pickled objects, truncated
        raise ValueError(f'{path}: not a readable attention file ({err})'
                         ) from None
    missing = [k for k in ATTENTION_KEYS if k not in arrays]
    if missing:
        raise ValueError(f'{path}: missing keys {missing} (found '
                         f'{sorted(arrays)})')
    classes = arrays['classes'].astype(np.int64).reshape(-1)
    attention = arrays['attention'].astype(np.float32)
    if attention.ndim != 3 or attention.shape[0] != len(classes):
        raise ValueError(f'{path}: attention must be [K, H, W] with K = '
                         f'{len(classes)} classes, got {attention.shape}')
    if len(classes) and (classes.min() < 1 or classes.max() > num_classes):
        raise ValueError(f'{path}: classes must be ids 1..{num_classes}, '
                         f'got {classes.tolist()}')
    if attention.size and (np.nanmin(attention) < 0 or
                           np.nanmax(attention) > 1 or
                           np.isnan(attention).any()):
        raise ValueError(f'{path}: attention values must be in [0, 1]')
    return classes, attention


# ----------------------------------------------------------------------
# saliency maps and label PNGs
# ----------------------------------------------------------------------
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
    with atomic_write(path) as f:
        img.save(f, format='PNG')


def load_label_png(path: str) -> np.ndarray:
    """uint8 ``[H, W]`` class indices of a palette PNG (or grey PNG)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'label map not found: {path}')
    with Image.open(path) as im:
        if im.mode not in ('P', 'L'):
            raise ValueError(f'{path}: expected a palette or grey PNG of '
                             f'class indices, got mode {im.mode}')
        return np.asarray(im, dtype=np.uint8)


__all__ = ['atomic_write', 'write_json', 'write_text', 'write_image',
           'save_attention', 'load_attention', 'ATTENTION_KEYS',
           'load_saliency', 'save_label_png', 'load_label_png']
