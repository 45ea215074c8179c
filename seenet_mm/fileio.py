"""The file formats between the stages, and one atomic writer (bottom layer).

- attention files ``<name>.npz``: their own module,
  :mod:`seenet_mm.attention_codec`;
- label PNGs: palette ('P') PNGs of class indices, 255 = ignore;
- saliency maps: grey PNGs, 8 bit (0..255) or 16 bit (0..65535), each read
  by its true range (:func:`load_saliency` says what else it accepts);
- the class list of a folder (``classes.json``);
- the name of mmengine's last checkpoint in a work dir.

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


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint mmengine named last in ``work_dir`` (its
    ``last_checkpoint`` file, written once the checkpoint is whole); ``''``
    when there is none yet (or while mmengine rewrites the file)."""
    try:
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            return f.read().strip()
    except FileNotFoundError:
        return ''


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


def save_grey_png(path: str, values: np.ndarray) -> None:
    """Write a map in [0, 1] as an 8-bit grey PNG (``round(v * 255)``),
    atomically."""
    grey = np.round(np.clip(values, 0, 1) * 255).astype(np.uint8)
    with atomic_write(path) as f:
        Image.fromarray(grey, mode='L').save(f, format='PNG')


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
           'last_checkpoint', 'load_saliency', 'save_label_png', 'load_label_png',
           'CLASSES_FILE', 'save_classes', 'read_classes', 'load_classes',
           'IMAGE_SUFFIXES', 'find_image']

