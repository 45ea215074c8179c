"""The attention files ``<name>.npz``, one per image (bottom layer).

Version 2 (:func:`save_attention`):
``{version 2, classes int64 [K] (ids 1..M), ori_shape int64 (H, W),
attention_delta uint8 [K, H, W]}``: the maps in [0, 1] quantised to
``round(a * 253)``, differenced along rows and columns mod 256 and
deflated; lossless after the quantisation (error <= 1/506) and 10-15x
smaller than float16. Version 1 files (no ``version``; ``attention``
float16 ``[K, H, W]``) still load.

Written through :func:`seenet_mm.fileio.atomic_write`.
"""
from __future__ import annotations

import os.path as osp
from typing import Optional, Sequence, Tuple

import numpy as np

from .fileio import atomic_write
from .metainfo import VOC_CLASSES

ATTENTION_VERSION = 2  # what save_attention writes; no 'version' key = 1
# Version 2 stores round(a * 253) as uint8 (fixed by the version). Not 255:
# 255 = 3 * 5 * 17 puts levels exactly on the thresholds 0.2, 0.4, 0.6 and
# 0.8, where ``a > t`` then sends a whole bin to one side (toy set: seed
# mIoU -0.09 at t = 0.8); 253 = 11 * 23 puts none on a threshold of two
# decimals but 0 and 1.
ATTENTION_LEVELS = 253
ATTENTION_MAX_ERROR = 0.5 / ATTENTION_LEVELS  # of a round trip: 1/506
ATTENTION_KEYS = ('classes', 'attention')  # version 1 (+ 'ori_shape')
ATTENTION_KEYS_V2 = ('classes', 'attention_delta', 'ori_shape')


def _delta_encode(q: np.ndarray) -> np.ndarray:
    """uint8 ``[K, H, W]`` → differences to the left, then of those to the
    row above, mod 256 (lossless). Maps upsampled bilinearly are close to
    planar between the network's samples, so the result is mostly 0 and
    ±1, which deflate packs 1.4-2x better than the levels themselves."""
    d = q.copy()
    d[:, :, 1:] -= q[:, :, :-1]
    out = d.copy()
    out[:, 1:, :] -= d[:, :-1, :]
    return out


def _delta_decode(d: np.ndarray) -> np.ndarray:
    """The inverse of :func:`_delta_encode` (uint8 sums wrap mod 256)."""
    return np.cumsum(np.cumsum(d, axis=1, dtype=np.uint8), axis=2,
                     dtype=np.uint8)


def save_attention(path: str, classes: Sequence[int], attention: np.ndarray
                   ) -> None:
    """Write an attention file (version 2) atomically.

    The maps are stored as ``round(a * 253)`` (uint8), differenced along
    rows and columns mod 256 and deflated: lossless after the quantisation
    (a round trip changes a value by at most ``ATTENTION_MAX_ERROR`` =
    1/506), about 25-35 KB per class for a 500 x 375 map upsampled from the
    network's resolution instead of 375 KB in float16.

    Args:
        path: the ``.npz`` file.
        classes: K class ids (1..M), one per map.
        attention: ``[K, H, W]`` in [0, 1] at the image's size.

    Raises:
        ValueError: naming ``path``, for a shape that does not match the
            classes, a class id below 1, or values outside [0, 1] or NaN.
    """
    classes = np.asarray(classes, dtype=np.int64).reshape(-1)
    attention = np.asarray(attention, dtype=np.float32)
    _check_attention(path, classes, attention)
    q = np.rint(attention * ATTENTION_LEVELS).astype(np.uint8)
    with atomic_write(path) as f:
        np.savez_compressed(
            f, version=np.int64(ATTENTION_VERSION), classes=classes,
            ori_shape=np.asarray(attention.shape[1:], dtype=np.int64),
            attention_delta=_delta_encode(q))


def _check_attention(path: str, classes: np.ndarray, attention: np.ndarray,
                     num_classes: Optional[int] = None) -> None:
    """One ``ValueError`` naming ``path`` unless ``attention`` is
    ``[K, H, W]`` in [0, 1] for K class ids in 1..num_classes."""
    if attention.ndim != 3 or attention.shape[0] != len(classes):
        raise ValueError(f'{path}: attention must be [K, H, W] with K = '
                         f'{len(classes)} classes, got {attention.shape}')
    if len(classes) and (classes.min() < 1 or (
            num_classes is not None and classes.max() > num_classes)):
        ids = f'1..{num_classes}' if num_classes is not None else '>= 1'
        raise ValueError(f'{path}: classes must be ids {ids}, got '
                         f'{classes.tolist()}')
    if attention.size:
        lo, hi = float(attention.min()), float(attention.max())  # NaN: nan
        if not (lo >= 0 and hi <= 1):
            raise ValueError(f'{path}: attention values must be in [0, 1], '
                             f'got {lo:g}..{hi:g}')


def load_attention(path: str, num_classes: int = len(VOC_CLASSES) - 1
                   ) -> Tuple[np.ndarray, np.ndarray]:
    """Read an attention file of either version.

    Version 2 (``version`` key, :func:`save_attention`) holds
    ``attention_delta`` (see there); version 1 (no ``version``) holds
    ``attention`` float16. Wrong or missing keys, shapes or values, or an
    unknown version are one ``ValueError`` naming the file.

    Args:
        path: the ``.npz`` file.
        num_classes: M; class ids must lie in 1..M (VOC: 20, COCO: 80).

    Returns:
        tuple: ``classes`` int64 ``[K]`` and ``attention`` float32
        ``[K, H, W]`` in [0, 1] at ``ori_shape`` (the image's size).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'attention file not found: {path}')
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
    except Exception as err:  # not a zip, pickled objects, truncated
        raise ValueError(f'{path}: not a readable attention file ({err})'
                         ) from None
    version = 1
    if 'version' in arrays:
        v = arrays['version']
        if v.shape != () or v.dtype.kind not in 'iu':
            raise ValueError(f'{path}: version must be one integer, got '
                             f'{v.dtype} {v.shape}')
        version = int(v)
    if version not in (1, ATTENTION_VERSION):
        raise ValueError(f'{path}: attention file version {version}; this '
                         f'seenet_mm reads versions 1..{ATTENTION_VERSION}')
    keys = ATTENTION_KEYS if version == 1 else ATTENTION_KEYS_V2
    missing = [k for k in keys if k not in arrays]
    if missing:
        raise ValueError(f'{path}: missing keys {missing} (found '
                         f'{sorted(arrays)}) for version {version}')
    if arrays['classes'].dtype.kind not in 'iu':
        raise ValueError(f'{path}: classes must be integer ids, got '
                         f'{arrays["classes"].dtype}')
    classes = arrays['classes'].astype(np.int64).reshape(-1)
    if version == 1:
        attention = arrays['attention'].astype(np.float32)
    else:
        delta = arrays['attention_delta']
        if delta.dtype != np.uint8 or delta.ndim != 3:
            raise ValueError(f'{path}: attention_delta must be uint8 '
                             f'[K, H, W], got {delta.dtype} {delta.shape}')
        attention = _delta_decode(delta).astype(np.float32)
        attention /= np.float32(ATTENTION_LEVELS)
    _check_attention(path, classes, attention, num_classes)
    if 'ori_shape' in arrays:
        ori_shape = arrays['ori_shape'].reshape(-1).tolist()
        if ori_shape != list(attention.shape[1:]):
            raise ValueError(f'{path}: maps of {attention.shape[1:]} but '
                             f'ori_shape {ori_shape}')
    return classes, attention


__all__ = ['ATTENTION_VERSION', 'ATTENTION_LEVELS', 'ATTENTION_MAX_ERROR',
           'ATTENTION_KEYS', 'save_attention', 'load_attention']
