"""CamVid (11-class SegNet version) converted into the own-folder format,
with image-level labels of views (crops).

Whole-photo labels are nearly constant on CamVid (every object-like class
is in almost every photo), so each photo is cut into a grid of
non-overlapping views and every view becomes one image of the dataset.

The input (the layout of the SegNet tutorial's CamVid)::

    ROOT/<split>.txt                 one photo name a line
    ROOT/<split>/<name>.jpg|.png     the photos (480x360)
    ROOT/<split>annot/<name>.png     uint8 class per pixel: 0..10 =
                                     CAMVID_CLASSES, 11 = void
    ROOT/saliency/<split>/<name>.png optional grey saliency maps

The output, the own-folder format of docs/data.md::

    OUT/images/<view>.png     the view's pixels of the photo, lossless
    OUT/masks/<view>.png      0 background, i + 1 = classes[i], 255 void
    OUT/saliency/<view>.png   the view of the saliency map (8-bit grey;
                              only for splits with ROOT/saliency/<split>)
    OUT/<split>.json          {"metainfo": {"classes": [...]},
                               "data_list": [{"img_path": "<view>.png",
                                              "gt_label": [...]}, ...]}
    OUT/camvid_views.json     the grid and classes OUT was made with

- views: ``<name>_r<i>c<j>``, row ``i`` and column ``j`` of a ``rows x
  cols`` grid; view ``(i, j)`` covers rows ``i*H//rows .. (i+1)*H//rows``
  and columns ``j*W//cols .. (j+1)*W//cols`` (the default 2x2 cuts a
  480x360 photo into four 240x180 views);
- classes: the object-like CamVid classes, by default car, pedestrian,
  bicyclist, sign (SignSymbol), pole, fence in that order; every other
  CamVid class is background (0), void is 255;
- a view's label holds a class when the class covers at least
  ``min_pixels`` of its pixels (below 1: a share of the view's area,
  rounded up; 1 or more: a pixel count). The default, 0.5 % (216 of a
  240x180 view's pixels), keeps every class's share of views between
  about 10 % and 64 % on the train and val splits (docs/data.md has the
  table);
- a view with no class is left out (no file, not in the JSON, counted):
  the own-folder dataset refuses an empty ``gt_label``;
- everything is checked before anything is written (photos, masks, their
  sizes and values, saliency maps, names listed twice); each bad file is
  named, all of them in one :class:`CamvidFormatError`;
- each file is written atomically; a view whose files exist is skipped,
  so a killed run resumes; a split's JSON is written last, atomically;
- ROOT is only read.
"""
from __future__ import annotations

import math
import os
import os.path as osp
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from PIL import Image

from ..fileio import (find_image, load_label_png, load_saliency,
                      save_grey_png, save_label_png, write_image, write_json)
from ..images import decode, listing, loaded_size, progress_map
from ..metainfo import IGNORE_INDEX

# the 11 classes of the masks, by value; 11 is void
CAMVID_CLASSES = ('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree',
                  'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist')
VOID = 11
# (name in the output, CamVid class): the object-like classes
DEFAULT_CLASSES: Tuple[Tuple[str, str], ...] = (
    ('car', 'Car'), ('pedestrian', 'Pedestrian'),
    ('bicyclist', 'Bicyclist'), ('sign', 'SignSymbol'), ('pole', 'Pole'),
    ('fence', 'Fence'))
DEFAULT_GRID = (2, 2)
DEFAULT_MIN_PIXELS = 0.005
KNOWN_SPLITS = ('train', 'val', 'test')
SETTINGS_FILE = 'camvid_views.json'

ClassSpec = Union[str, Tuple[str, str], Sequence[str]]


class CamvidFormatError(ValueError):
    """A CamVid folder that cannot be converted as it is; the message names
    every bad file."""


def parse_classes(classes: Sequence[ClassSpec]
                  ) -> List[Tuple[str, int]]:
    """``[(output name, CamVid value)]`` of a class list.

    Args:
        classes: each entry a CamVid class name (``'Car'``; the output
            name is its lower case), a ``'name=CamVidClass'`` string or a
            ``(name, CamVidClass)`` pair; CamVid names match in any case.

    Raises:
        ValueError: an unknown CamVid class, a name or a CamVid class used
            twice, an empty list or name, or the name ``background``.
    """
    lookup = {c.lower(): i for i, c in enumerate(CAMVID_CLASSES)}
    if isinstance(classes, str) or not classes:
        raise ValueError('classes must be a non-empty list of CamVid '
                         f'classes, got {classes!r}')
    out: List[Tuple[str, int]] = []
    for entry in classes:
        if isinstance(entry, str):
            name, _, camvid = entry.partition('=')
            if not camvid:
                name, camvid = entry.lower(), entry
        elif len(entry) == 2 and all(isinstance(e, str) for e in entry):
            name, camvid = entry
        else:
            raise ValueError(f'class {entry!r}: expected a CamVid class, '
                             '"name=CamVidClass" or a (name, CamVidClass) '
                             'pair')
        if camvid.lower() not in lookup:
            raise ValueError(f'class {entry!r}: {camvid!r} is not a CamVid '
                             f'class ({", ".join(CAMVID_CLASSES)})')
        if not name or name == 'background':
            raise ValueError(f'class {entry!r}: the name must be non-empty '
                             'and not "background" (the background is id 0)')
        out.append((name, lookup[camvid.lower()]))
    for what, values in (('name', [n for n, _ in out]),
                         ('CamVid class', [v for _, v in out])):
        twice = sorted({str(v) for v in values if values.count(v) > 1})
        if twice:
            shown = twice if what == 'name' else [
                CAMVID_CLASSES[int(v)] for v in twice]
            raise ValueError(f'classes: {what} {", ".join(shown)} is used '
                             'twice')
    return out


def _check_grid(grid: Sequence[int]) -> Tuple[int, int]:
    if (len(grid) != 2 or any(isinstance(g, bool) or not isinstance(g, int)
                              or g < 1 for g in grid)):
        raise ValueError(f'grid must be two integers ROWS COLS >= 1, got '
                         f'{tuple(grid)!r}')
    return int(grid[0]), int(grid[1])


def _check_min_pixels(min_pixels: float) -> float:
    if isinstance(min_pixels, bool) or not isinstance(
            min_pixels, (int, float)) or not min_pixels > 0 or \
            (min_pixels >= 1 and min_pixels != int(min_pixels)):
        raise ValueError('min_pixels must be a share of the view area '
                         '(0 < value < 1) or a whole number of pixels '
                         f'(>= 1), got {min_pixels!r}')
    return min_pixels


def pixel_threshold(min_pixels: float, area: int) -> int:
    """The pixel count a class needs in a view of ``area`` pixels:
    ``ceil(min_pixels * area)`` (at least 1) for a share below 1, the count
    itself otherwise."""
    if min_pixels < 1:
        return max(1, math.ceil(min_pixels * area - 1e-9))
    return int(min_pixels)


def view_boxes(height: int, width: int, grid: Tuple[int, int]
               ) -> List[Tuple[str, int, int, int, int]]:
    """``[(suffix, y0, y1, x0, x1)]`` of the grid's views, row by row;
    suffix ``_r<i>c<j>``."""
    rows, cols = grid
    return [(f'_r{i}c{j}', i * height // rows, (i + 1) * height // rows,
             j * width // cols, (j + 1) * width // cols)
            for i in range(rows) for j in range(cols)]


def is_camvid_root(path: str) -> bool:
    """A folder in CamVid's layout: ``train.txt`` and ``trainannot/``."""
    return (osp.isfile(osp.join(path, 'train.txt'))
            and osp.isdir(osp.join(path, 'trainannot')))


def find_splits(root: str) -> List[str]:
    """The splits of ``root``: every ``<split>.txt`` with a ``<split>/``
    folder beside it; train, val, test first, then the others by name."""
    found = [f[:-4] for f in os.listdir(root) if f.endswith('.txt')
             and osp.isdir(osp.join(root, f[:-4]))]
    return [s for s in KNOWN_SPLITS if s in found] + sorted(
        s for s in found if s not in KNOWN_SPLITS)


def read_names(list_file: str) -> List[str]:
    """The photo names of a split list (one a line; blank lines skipped; a
    trailing suffix such as ``.png`` dropped).

    Raises:
        FileNotFoundError: no such file.
        CamvidFormatError: an empty list, a name listed twice, a name
            with a folder.
    """
    if not osp.isfile(list_file):
        raise FileNotFoundError(f'split list not found: {list_file}')
    names: List[str] = []
    seen: Dict[str, int] = {}
    with open(list_file) as f:
        for n, line in enumerate(f, 1):
            name = line.strip()
            if not name:
                continue
            if osp.splitext(name)[1].lower() in ('.jpg', '.jpeg', '.png'):
                name = osp.splitext(name)[0]
            if '/' in name or '\\' in name or name in ('.', '..'):
                raise CamvidFormatError(f'{list_file}:{n}: {line.strip()!r} '
                                        'must be a plain photo name')
            if name in seen:
                raise CamvidFormatError(f'{list_file}:{n}: {name!r} is '
                                        f'listed twice (also line '
                                        f'{seen[name]})')
            seen[name] = n
            names.append(name)
    if not names:
        raise CamvidFormatError(f'{list_file}: no photo names')
    return names


def _check_photo(job: Tuple) -> Tuple[Optional[dict], List[str]]:
    """Check one photo's files and count the mask's values per view (a
    pool worker).

    Returns:
        tuple: ``({name, image, mask, saliency, size, counts}, [])``,
        ``counts`` one ``bincount`` (12 values) per view, or ``(None,
        [what is wrong, naming the file])``.
    """
    name, split, root, has_saliency, grid = job
    errors: List[str] = []
    try:
        image = find_image(osp.join(root, split), name)
        height, width, _ = loaded_size(image)
    except (FileNotFoundError, ValueError) as err:
        errors.append(f'{err} (photo {name!r} of {split}.txt)')
        image, height, width = None, 0, 0
    saliency = None
    if has_saliency:
        saliency = osp.join(root, 'saliency', split, name + '.png')
        try:
            with Image.open(saliency) as im:
                im.size
        except FileNotFoundError:
            errors.append(f'saliency map not found: {saliency} (the split '
                          'has a saliency folder: every photo needs a map)')
        except Exception as err:
            errors.append(f'{saliency}: not a readable saliency map ({err})')
    mask_path = osp.join(root, split + 'annot', name + '.png')
    try:
        mask = load_label_png(mask_path)
    except FileNotFoundError:
        errors.append(f'mask not found: {mask_path}')
        return None, errors
    except Exception as err:  # corrupt file, wrong mode
        message = str(err) if str(err).startswith(mask_path) else \
            f'{mask_path}: not a readable mask ({err})'
        errors.append(message)
        return None, errors
    if mask.max(initial=0) > VOID:
        bad = np.unique(mask[mask > VOID])
        errors.append(f'{mask_path}: values {", ".join(map(str, bad[:10]))}'
                      f'{" ..." if bad.size > 10 else ""} outside 0..{VOID} '
                      f'({len(CAMVID_CLASSES)} classes and {VOID} = void)')
    if image is not None and mask.shape != (height, width):
        errors.append(f'{mask_path} is {mask.shape[1]}x{mask.shape[0]}, its '
                      f'photo {image} {width}x{height}')
    elif image is not None and (height < grid[0] or width < grid[1]):
        errors.append(f'{image} is {width}x{height}: too small for a '
                      f'{grid[0]}x{grid[1]} grid of views')
    if errors:
        return None, errors
    counts = [np.bincount(mask[y0:y1, x0:x1].ravel(), minlength=VOID + 1)
              for _, y0, y1, x0, x1 in view_boxes(height, width, grid)]
    return dict(name=name, image=image, mask=mask_path, saliency=saliency,
                size=(height, width), counts=counts), []


def _view_files(out: str, view: str, with_saliency: bool) -> List[str]:
    files = [osp.join(out, 'images', view + '.png'),
             osp.join(out, 'masks', view + '.png')]
    if with_saliency:
        files.append(osp.join(out, 'saliency', view + '.png'))
    return files


def convert_photo(job: Tuple) -> Tuple[int, int]:
    """Write the missing files of one photo's listed views (a pool
    worker).

    Args:
        job: ``(photo as _check_photo returns it, views to write as
            [(view name, y0, y1, x0, x1)], out, lookup table CamVid value
            -> output id)``.

    Returns:
        tuple: ``(views written now, views already there)``.
    """
    photo, views, out, lut = job
    with_saliency = photo['saliency'] is not None
    todo = [v for v in views if not all(
        osp.isfile(f) for f in _view_files(out, v[0], with_saliency))]
    if not todo:
        return 0, len(views)
    decode(photo['image'])  # a truncated file fails here, named
    # as every stage reads it: mmcv in colour (a grey or CMYK JPEG gives
    # 3 channels)
    rgb = mmcv.imread(photo['image'], channel_order='rgb')
    if rgb is None or rgb.shape[:2] != photo['size']:
        raise CamvidFormatError(f'{photo["image"]}: cannot be read as a '
                                f'{photo["size"][1]}x{photo["size"][0]} '
                                'colour image')
    mask = lut[load_label_png(photo['mask'])]
    sal = load_saliency(photo['saliency'], photo['size'])[0] \
        if with_saliency else None
    for view, y0, y1, x0, x1 in todo:
        img_file, mask_file, *sal_file = _view_files(out, view,
                                                     with_saliency)
        if sal_file and not osp.isfile(sal_file[0]):
            save_grey_png(sal_file[0], sal[y0:y1, x0:x1])
        if not osp.isfile(mask_file):
            save_label_png(mask_file, mask[y0:y1, x0:x1])
        if not osp.isfile(img_file):
            write_image(img_file, rgb[y0:y1, x0:x1])
    return len(todo), len(views) - len(todo)


def _inside(path: str, folder: str) -> bool:
    path, folder = osp.realpath(path), osp.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _check_settings(out: str, settings: dict) -> None:
    """OUT holds views of one grid and one class list: refuse another."""
    import json
    path = osp.join(out, SETTINGS_FILE)
    if not osp.isfile(path):
        return
    try:
        with open(path) as f:
            theirs = json.load(f)
    except (OSError, ValueError) as err:
        raise CamvidFormatError(f'{path}: not a readable JSON file ({err}): '
                                'remove it or convert into another folder'
                                ) from None
    for key in ('grid', 'classes'):
        if not isinstance(theirs, dict) or theirs.get(key) != settings[key]:
            mine = settings[key]
            raise CamvidFormatError(
                f'{out} holds views made with {key} '
                f'{theirs.get(key) if isinstance(theirs, dict) else theirs}'
                f' ({path}), this run asks for {mine}: the views would not '
                'match; convert into another folder')


def convert_camvid(root: str, out: str, *,
                   grid: Tuple[int, int] = DEFAULT_GRID,
                   classes: Sequence[ClassSpec] = DEFAULT_CLASSES,
                   min_pixels: float = DEFAULT_MIN_PIXELS,
                   splits: Optional[Sequence[str]] = None,
                   workers: int = 1, progress: bool = True
                   ) -> Dict[str, Any]:
    """Convert a CamVid folder into views in the own-folder format (see the
    module docstring for both layouts and the rules).

    Args:
        root: the CamVid folder (only read).
        out: the own-folder dataset to write (outside ``root``).
        grid: ``(rows, cols)`` of views per photo.
        classes: the classes (see :func:`parse_classes`).
        min_pixels: pixels a class needs in a view to label it: below 1 a
            share of the view's area, otherwise a count.
        splits: the splits to convert; None: every split of ``root``
            (:func:`find_splits`).
        workers: processes reading and writing photos.
        progress: show progress bars.

    Returns:
        dict: ``root``, ``out``, ``grid``, ``classes`` (output names),
        ``camvid_classes``, ``min_pixels``, and ``splits``: per split
        ``json``, ``photos``, ``views`` (all cut), ``listed`` (in the
        JSON), ``left_out`` (no class), ``written``, ``existing``,
        ``saliency`` (whether crops were made), ``presence`` (views per
        class, in class order), ``threshold`` (the pixel count a class
        needs in a view of the split's most common size).

    Raises:
        FileNotFoundError: ``root``, a split's list or folder.
        CamvidFormatError: bad files, all named in one message.
        ValueError: bad arguments.
    """
    grid = _check_grid(grid)
    min_pixels = _check_min_pixels(min_pixels)
    parsed = parse_classes(classes)
    if isinstance(workers, bool) or not isinstance(workers, int) or \
            workers < 1:
        raise ValueError(f'workers must be an integer >= 1, got {workers!r}')
    if not osp.isdir(root):
        raise FileNotFoundError(f'CamVid folder not found: {root}')
    if _inside(out, root):
        raise ValueError(f'{out} is inside the CamVid folder {root}: the '
                         'converter never writes into it; choose another '
                         'output folder')
    if splits is None:
        splits = find_splits(root)
        if not splits:
            raise FileNotFoundError(f'{root}: no split (a <split>.txt list '
                                    'with a <split>/ folder of photos)')
    elif isinstance(splits, str) or not splits:
        raise ValueError(f'splits must be a non-empty list, got {splits!r}')
    splits = list(dict.fromkeys(splits))
    settings = dict(grid=list(grid),
                    classes=[[n, CAMVID_CLASSES[v]] for n, v in parsed])
    _check_settings(out, settings)

    # read and check everything before writing
    names: Dict[str, List[str]] = {}
    owner: Dict[str, str] = {}
    for split in splits:
        if not isinstance(split, str) or not split or \
                osp.basename(split) != split:
            raise ValueError(f'split {split!r} must be a plain name')
        for folder in (split, split + 'annot'):
            if not osp.isdir(osp.join(root, folder)):
                raise FileNotFoundError(f'{split}: folder not found: '
                                        f'{osp.join(root, folder)}')
        list_file = osp.join(root, split + '.txt')
        names[split] = read_names(list_file)
        for name in names[split]:
            if name in owner:
                raise CamvidFormatError(
                    f'{list_file}: {name!r} is listed in {owner[name]}.txt '
                    'as well (its views would be one file)')
            owner[name] = split
    jobs = [(name, split, root,
             osp.isdir(osp.join(root, 'saliency', split)), grid)
            for split in splits for name in names[split]]
    checked = progress_map(
        _check_photo, jobs, workers,
        f'checking {len(jobs)} photos of {root}' if progress else None)
    bad = [e for _, errors in checked for e in errors]
    if bad:
        raise CamvidFormatError(listing(
            f'{len(bad)} problem(s) in {root}; nothing was written', bad))

    # labels, then the files of the labelled views
    values = np.array([v for _, v in parsed])
    lut = np.zeros(256, dtype=np.uint8)
    for i, (_, value) in enumerate(parsed):
        lut[value] = i + 1
    lut[VOID] = IGNORE_INDEX
    per_split: Dict[str, dict] = {}
    write_jobs = []
    photos = iter(p for p, _ in checked)
    for split in splits:
        data_list = []
        presence = np.zeros(len(parsed), dtype=int)
        num_views, areas = 0, {}
        for _ in names[split]:
            photo = next(photos)
            listed = []
            for (suffix, y0, y1, x0, x1), counts in zip(
                    view_boxes(*photo['size'], grid), photo['counts']):
                num_views += 1
                area = (y1 - y0) * (x1 - x0)
                areas[area] = areas.get(area, 0) + 1
                present = counts[values] >= pixel_threshold(min_pixels,
                                                            area)
                presence += present
                if present.any():
                    view = photo['name'] + suffix
                    listed.append((view, y0, y1, x0, x1))
                    data_list.append(dict(
                        img_path=view + '.png',
                        gt_label=[int(i) for i in np.flatnonzero(present)]))
            del photo['counts']
            if listed:
                write_jobs.append((photo, listed, out, lut))
        area = max(areas, key=areas.get)
        per_split[split] = dict(
            json=osp.join(out, f'{split}.json'), photos=len(names[split]),
            views=num_views, listed=len(data_list),
            left_out=num_views - len(data_list),
            saliency=osp.isdir(osp.join(root, 'saliency', split)),
            presence=[int(p) for p in presence],
            threshold=pixel_threshold(min_pixels, area),
            data_list=data_list)
        if not data_list:
            raise CamvidFormatError(
                f'{split}: none of the {num_views} views holds a class at '
                f'min_pixels={min_pixels}: nothing to list (lower it)')

    subs = ['images', 'masks'] + (
        ['saliency'] if any(s['saliency'] for s in per_split.values())
        else [])
    for sub in subs:
        os.makedirs(osp.join(out, sub), exist_ok=True)
    if not osp.isfile(osp.join(out, SETTINGS_FILE)):
        write_json(osp.join(out, SETTINGS_FILE), settings)
    results = progress_map(
        convert_photo, write_jobs, workers,
        f'writing the views of {len(write_jobs)} photos to {out}'
        if progress else None)
    done = iter(results)
    for split in splits:
        info = per_split[split]
        info['written'] = info['existing'] = 0
        for job in write_jobs:
            if owner[job[0]['name']] == split:
                written, existing = next(done)
                info['written'] += written
                info['existing'] += existing
        write_json(info['json'], dict(
            metainfo=dict(classes=[n for n, _ in parsed]),
            data_list=info.pop('data_list')))
    return dict(root=root, out=out, grid=grid,
                classes=[n for n, _ in parsed],
                camvid_classes=[CAMVID_CLASSES[v] for _, v in parsed],
                min_pixels=min_pixels, splits=per_split)


def format_summary(summary: Dict[str, Any]) -> str:
    """A few lines for the command line: views per split, then each class's
    presence (views holding it, and their share of the split's views)."""
    rows, cols = summary['grid']
    share = summary['min_pixels']
    rule = (f'{share * 100:g} % of a view' if share < 1 else
            f'{int(share)} pixels')
    lines = [f'{summary["out"]}: {rows}x{cols} views per photo, a class '
             f'labels a view from {rule}']
    for split, info in summary['splits'].items():
        sal = 'with saliency crops' if info['saliency'] else 'no saliency'
        lines.append(
            f'{split}: {info["photos"]} photos, {info["views"]} views, '
            f'{info["listed"]} in {info["json"]} ({info["left_out"]} without '
            f'a class left out; threshold {info["threshold"]} pixels); '
            f'written {info["written"]}, already there {info["existing"]}; '
            f'{sal}')
        lines.append('  presence: ' + ', '.join(
            f'{name} {n} ({100 * n / max(info["views"], 1):.0f} %)'
            for name, n in zip(summary['classes'], info['presence'])))
    return '\n'.join(lines)


__all__ = ['CAMVID_CLASSES', 'DEFAULT_CLASSES', 'DEFAULT_GRID',
           'DEFAULT_MIN_PIXELS', 'CamvidFormatError', 'parse_classes',
           'pixel_threshold', 'view_boxes', 'is_camvid_root', 'find_splits',
           'read_names', 'convert_photo', 'convert_camvid', 'format_summary']
