"""Images as every stage sees them: decoded whole, turned by their EXIF
orientation.

The rule, one for the whole package: an image is what ``mmcv.imread`` /
``LoadImageFromFile`` gives (``flag='color'``), which applies the EXIF
orientation tag of a JPEG (OpenCV does, and mmcv's pillow backend calls
``ImageOps.exif_transpose``); the gallery, the CRF, attention inference
and the proxy labels all read images through mmcv. Maps (masks, saliency
maps, proxy labels, attention) are pixel grids in that upright frame: their
PNGs are read as stored (mmseg reads masks with ``flag='unchanged'``, which
ignores the tag), so a map must be stored upright, at the size of the
image as loaded. :func:`check_images` and :func:`check_map_sizes` enforce
this before a stage writes.
"""
from __future__ import annotations

import os.path as osp
import sys
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from PIL import Image

EXIF_ORIENTATION = 0x0112
# orientations 5..8 turn the image by 90 degrees (width and height swap)
_TRANSPOSED = (5, 6, 7, 8)


class ImageCheckError(ValueError):
    """Images that cannot be used as they are, all named in one message."""


def orientation(im: Image.Image) -> int:
    """The EXIF orientation tag of an opened image (1 when it has none)."""
    try:
        value = im.getexif().get(EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block: the loaders ignore it too
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _oriented(path: str, load: bool) -> Tuple[int, int, int]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'image not found: {path}')
    try:
        with Image.open(path) as im:
            width, height = im.size
            turn = orientation(im)
            if load:
                im.load()
    except Exception as err:
        raise ValueError(f'{path}: not a readable image ({err})') from None
    if turn in _TRANSPOSED:
        width, height = height, width
    return height, width, turn


def loaded_size(path: str) -> Tuple[int, int, int]:
    """``(height, width, orientation)`` of the image at ``path`` as it is
    loaded (EXIF orientation applied), from its header only.

    Raises:
        FileNotFoundError: no such file.
        ValueError: naming ``path``, when it is not a readable image.
    """
    return _oriented(path, load=False)


def decode(path: str) -> Tuple[int, int, int]:
    """Decode the image at ``path`` whole (a truncated or corrupt file
    fails here, not in a training's data loader); returns
    :func:`loaded_size`'s ``(height, width, orientation)``.

    Raises:
        FileNotFoundError: no such file.
        ValueError: naming ``path`` and what is wrong with it.
    """
    return _oriented(path, load=True)


def _decode_job(path: str) -> Tuple[str, Optional[Tuple[int, int, int]],
                                    Optional[str]]:
    try:
        return path, decode(path), None
    except (FileNotFoundError, ValueError) as err:
        return path, None, str(err)


def progress_map(func: Callable, jobs: Sequence, workers: int = 1,
                 title: Optional[str] = None, chunksize: int = 8) -> List:
    """``[func(job) for job in jobs]`` in order, in a pool of ``workers``
    processes when more than one, with mmengine's progress bar under the
    line ``title`` (None: no bar)."""
    bar = None
    if title is not None and jobs:
        from mmengine.utils import ProgressBar
        print(title, flush=True)
        bar = ProgressBar(len(jobs), file=sys.stdout)
    results = []
    if workers > 1 and len(jobs) > 1:
        from multiprocessing import Pool
        with Pool(min(workers, len(jobs))) as pool:
            for result in pool.imap(func, jobs, chunksize=chunksize):
                results.append(result)
                if bar is not None:
                    bar.update()
    else:
        for job in jobs:
            results.append(func(job))
            if bar is not None:
                bar.update()
    if bar is not None:
        sys.stdout.write('\n')
    return results


def check_images(paths: Sequence[str], workers: int = 1,
                 progress: bool = True, what: str = 'images'
                 ) -> Dict[str, Tuple[int, int, int]]:
    """Decode every image of ``paths`` (with ``workers`` processes and a
    progress bar); returns ``{path: (height, width, orientation)}``.

    Raises:
        ImageCheckError: listing every unreadable file, at once.
    """
    jobs = list(dict.fromkeys(paths))
    results = progress_map(_decode_job, jobs, workers,
                           f'checking {len(jobs)} {what}' if progress
                           else None, chunksize=16)
    bad = [err for _, _, err in results if err is not None]
    if bad:
        raise ImageCheckError(listing(
            f'{len(bad)} of {len(jobs)} {what} cannot be read', bad))
    return {path: size for path, size, _ in results}


def check_map_sizes(maps: Iterable[Tuple[str, str]],
                    sizes: Dict[str, Tuple[int, int, int]],
                    exact: bool = True, what: str = 'mask') -> None:
    """Check that each ``(image path, map path)`` map is stored upright at
    the size of the image as loaded (``sizes`` from :func:`check_images`).

    Args:
        exact: the map must have the image's size (masks); otherwise only
            a map in the image's stored, unturned frame is refused, since
            other sizes are resized to the image (saliency maps).

    Raises:
        ImageCheckError: listing every map that does not fit, at once.
    """
    bad = []
    for image, path in maps:
        height, width, turn = sizes[image]
        try:
            with Image.open(path) as im:
                w, h = im.size
        except Exception as err:
            bad.append(f'{path}: not a readable {what} ({err})')
            continue
        if (h, w) == (height, width):
            continue
        if turn in _TRANSPOSED and (h, w) == (width, height):
            bad.append(f'{path} is {w}x{h}, the stored frame of {image}, '
                       f'which loads turned by its EXIF orientation tag '
                       f'({turn}) to {width}x{height}: store the {what} '
                       'upright, or remove the tag from the image')
        elif exact:
            bad.append(f'{path} is {w}x{h}, its image {image} {width}x'
                       f'{height}')
    if bad:
        raise ImageCheckError(listing(
            f'{len(bad)} {what}(s) do not fit their images', bad))


def listing(head: str, lines: List[str], most: int = 20) -> str:
    """One error message: ``head``, then up to ``most`` of ``lines``
    indented, then how many more there are."""
    shown = lines[:most]
    more = f'\n  ... and {len(lines) - most} more' \
        if len(lines) > most else ''
    return head + ':\n  ' + '\n  '.join(shown) + more


__all__ = ['EXIF_ORIENTATION', 'ImageCheckError', 'orientation',
           'loaded_size', 'decode', 'check_images', 'check_map_sizes',
           'listing']
