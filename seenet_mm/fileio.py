"""The file formats between the stages, and one atomic writer (bottom layer).

- attention files ``<name>.npz``, version 2 (:func:`save_attention`):
  ``{version 2, classes int64 [K] (ids 1..M), ori_shape int64 (H, W),
  attention_delta uint8 [K, H, W]}``: the maps in [0, 1] quantised to
  ``round(a * 253)``, differenced along rows and columns mod 256 and
  deflated; lossless after the quantisation (error <= 1/506) and 10-15x
  smaller than float16. Version 1 files (no ``version``; ``attention``
  float16 ``[K, H, W]``) still load;
- label PNGs: palette ('P') PNGs of class indices, 255 = ignore;
- saliency maps: grey PNGs, 8 bit (0..255) or 16 bit (0..65535), each read
  by its true range (:func:`load_saliency` says what else it accepts).

Every writer goes through :func:`atomic_write`: the file appears complete
under its name or not at all, so a killed job never leaves half a file.
"""
from __future__ import annotations

import contextlib
import json
import os
import os.path as osp
from typing import Any, IO, Iterator, List, Optional, Sequence, Tuple

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


# ----------------------------------------------------------------------
# saliency maps and label PNGs
# ----------------------------------------------------------------------
# the full scale of the grey modes PIL opens PNGs in: 1-bit, 2/4/8-bit
# (PIL scales 2 and 4 bits to 0..255) and 16-bit ('I;16', or 'I' in older
# PIL versions; 'I' is checked to lie in 0..65535)
_SALIENCY_SCALE = {'1': 1, 'L': 255, 'I;16': 65535, 'I;16L': 65535,
                   'I;16B': 65535, 'I;16N': 65535, 'I': 65535}


def _saliency_values(path: str, mode: str, pixels: np.ndarray
                     ) -> np.ndarray:
    """float32 ``[H, W]`` in [0, 1] of the pixels of a PIL image of
    ``mode``, or one ``ValueError`` naming ``path`` and what it found."""
    if mode in _SALIENCY_SCALE:
        if mode == 'I' and pixels.size and (pixels.min() < 0 or
                                            pixels.max() > 65535):
            raise ValueError(
                f'{path}: a 32-bit grey saliency image with values '
                f'{pixels.min()}..{pixels.max()}, outside 16 bits 0..65535')
        return pixels.astype(np.float32) / np.float32(_SALIENCY_SCALE[mode])
    if mode == 'LA':  # grey + alpha: the grey channel, alpha ignored
        return pixels[..., 0].astype(np.float32) / np.float32(255)
    if mode in ('RGB', 'RGBA', 'RGBX', 'P', 'PA'):  # P, PA: as RGBA
        rgb = pixels[..., :3]
        differ = int((rgb != rgb[..., :1]).any(axis=-1).sum())
        if differ:
            total = rgb.shape[0] * rgb.shape[1]
            raise ValueError(
                f'{path}: a colour saliency image (mode {mode}) whose '
                f'colour channels differ on {differ} of {total} pixels; '
                'saliency maps must be grey')
        return rgb[..., 0].astype(np.float32) / np.float32(255)
    raise ValueError(f'{path}: saliency maps must be grey PNGs (8 or 16 '
                     f'bit), got an image of mode {mode}')


def load_saliency(path: str, size: Optional[Tuple[int, int]] = None
                  ) -> Tuple[np.ndarray, bool]:
    """Grey saliency PNG as float32 ``[H, W]`` in [0, 1], read by its true
    range.

    Accepted: 8-bit grey (value / 255; 1, 2 and 4 bits likewise by their
    range), 16-bit grey (value / 65535), grey with alpha (the grey channel;
    alpha is ignored), and RGB, RGBA or palette images whose colour
    channels are equal on every pixel (a grey map saved in colour; alpha
    ignored). Anything else, e.g. a colour image or a float image, is
    refused.

    Args:
        path: the PNG.
        size: ``(H, W)`` wanted; a map of another size is resized to it
            (bilinear).

    Returns:
        tuple: the map and whether it was resized.

    Raises:
        FileNotFoundError: naming ``path`` when it is missing.
        ValueError: naming ``path`` and what it found, for an unreadable
            file or one of a mode that is refused.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'saliency map not found: {path}')
    try:
        with Image.open(path) as im:
            im.load()
            mode = im.mode
            pixels = np.asarray(im.convert('RGBA') if mode in ('P', 'PA')
                                else im)
    except Exception as err:
        raise ValueError(f'{path}: not a readable saliency image ({err})'
                         ) from err
    sal = _saliency_values(path, mode, pixels)
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



# ----------------------------------------------------------------------
# the class list beside a folder of outputs
# ----------------------------------------------------------------------
CLASSES_FILE = 'classes.json'  # {"classes": [M names]} (no background)


def save_classes(folder: str, classes: Sequence[str]) -> str:
    """Write ``folder/classes.json``: the M class names (without the
    background) whose ids 1..M the files of ``folder`` use (left as it is
    when it holds them already). Returns the path."""
    path = osp.join(folder, CLASSES_FILE)
    names = [str(c) for c in classes]
    try:  # a resumed run leaves the same list untouched
        if read_classes(path) == names:
            return path
    except (FileNotFoundError, ValueError):
        pass
    write_json(path, dict(classes=names))
    return path


def read_classes(path: str) -> List[str]:
    """The class names of a ``classes.json`` (``{"classes": [...]}``) or of
    an annotation file of the own-folder format (``{"metainfo":
    {"classes": [...]}, ...}``); one ``ValueError`` naming the file when it
    holds neither."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'class list not found: {path}')
    try:
        with open(path) as f:
            obj = json.load(f)
    except (OSError, ValueError) as err:
        raise ValueError(f'{path}: not a readable JSON file ({err})'
                         ) from None
    classes = None
    if isinstance(obj, dict):
        classes = obj.get('classes')
        if classes is None and isinstance(obj.get('metainfo'), dict):
            classes = obj['metainfo'].get('classes')
    if (not isinstance(classes, list) or not classes or
            not all(isinstance(c, str) for c in classes)):
        raise ValueError(f'{path}: expected "classes" (or "metainfo": '
                         '{"classes": ...}) as a non-empty list of names')
    return list(classes)


def load_classes(folder: str, default: Optional[Sequence[str]] = None
                 ) -> List[str]:
    """The classes of ``folder/classes.json``; ``default`` (VOC's 20 when
    None) for a folder without one (files written before class lists were
    recorded)."""
    path = osp.join(folder, CLASSES_FILE)
    if osp.isfile(path):
        return read_classes(path)
    return list(VOC_CLASSES[1:] if default is None else default)


IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.JPG', '.JPEG', '.PNG')


def find_image(folder: str, name: str) -> str:
    """``folder/name`` with the first image suffix that exists (``.jpg``,
    ``.jpeg``, ``.png``); ``FileNotFoundError`` naming what was tried."""
    for suffix in IMAGE_SUFFIXES:
        path = osp.join(folder, name + suffix)
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'image not found: {osp.join(folder, name)}'
                            f'{{.jpg,.jpeg,.png}}')

__all__ = ['atomic_write', 'write_json', 'write_text', 'write_image',
           'save_attention', 'load_attention', 'ATTENTION_KEYS',
           'load_saliency', 'save_label_png', 'load_label_png',
           'CLASSES_FILE', 'save_classes', 'read_classes', 'load_classes',
           'IMAGE_SUFFIXES', 'find_image']

