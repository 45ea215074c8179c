"""COCO instances (2014) converted into the own-folder format.

The format is the own-folder one of docs/data.md::

    DIR/images/<file_name>   links to the COCO images (never copies)
    DIR/train.json, val.json {"metainfo": {"classes": [80 names]},
                              "data_list": [{"img_path", "gt_label"}, ...]}
    DIR/masks/<stem>.png     0 background, i + 1 = classes[i], 255 crowd

- classes: the ``categories`` of the annotation file sorted by id (COCO's
  80 names in id order); ``gt_label`` holds positions in that list;
- image labels: the classes of every instance, crowd ones included;
- masks (evaluation only; :mod:`.coco_masks`): polygons and RLE
  (uncompressed ``counts`` lists and compressed strings) decoded with
  ``pycocotools.mask``; crowd regions are 255; where regions overlap, the
  smaller one (in decoded pixels) lies on top, crowd regions under the
  same rule (a person annotated inside a crowd keeps its class; a crowd in
  front of a large object stays 255); equal areas: the later annotation on
  top;
- an image without any annotation is left out (counted in the summary);
- each image's ``height`` and ``width`` must be those of the image as it
  loads, EXIF orientation applied (the rule of :mod:`seenet_mm.images`);
- the annotation file is checked whole before anything is written: a bad
  entry is one :class:`CocoFormatError` naming the file and the entry;
- masks already written are skipped (each one is written atomically), so a
  killed run resumes; the split's JSON is written last, atomically.

Link modes (``link``):

- ``symlink`` (default): ``DIR/images/<file_name>`` is a relative symbolic
  link to the COCO image (absolute where no relative path exists);
- ``hardlink``: a hard link (same file system only), for file systems or
  copies of ``DIR`` where symbolic links do not survive;
- ``none``: nothing is linked; the JSON and masks are written as with the
  other modes (``img_path`` the plain file name, as the format wants) and
  you put the images into ``DIR/images`` yourself (move them there, mount
  or link the folder), for file systems without links. The images must
  still exist under ``image_dir`` when converting (they are checked).
"""
from __future__ import annotations

import json
import os
import os.path as osp
import re
import sys
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..fileio import save_label_png, write_json
from ..images import listing, loaded_size
from .coco_masks import (CocoFormatError, check_segmentation, draw_mask,
                         pycocotools_mask)
from .image_folder import split_classes

SPLITS = ('train', 'val')
LINK_MODES = ('symlink', 'hardlink', 'none')


def guess_split(ann_file: str) -> str:
    """``train`` or ``val`` from an annotation file name
    (``instances_val2014.json`` -> ``val``).

    The name is cut into words at every non-letter; exactly one of the
    words must be ``train`` or ``val``.

    Raises:
        ValueError: the name holds neither or both.
    """
    words = set(re.split(r'[^a-z]+', osp.basename(ann_file).lower()))
    found = [s for s in SPLITS if s in words]
    if len(found) != 1:
        raise ValueError(f'cannot tell the split from the file name '
                         f'{osp.basename(ann_file)!r}: give --split '
                         f'{"|".join(SPLITS)}')
    return found[0]


def coco_classes(categories: Sequence[dict], ann_file: str = '<json>'
                 ) -> Tuple[List[str], Dict[int, int]]:
    """Class names sorted by category id, and id -> index in that list.

    Args:
        categories: the ``categories`` entries (``id``, ``name``).
        ann_file: the file they come from, for error messages.
    """
    if not isinstance(categories, list) or not categories:
        raise CocoFormatError(f'{ann_file}: "categories" must be a non-empty '
                              'list')
    seen: Dict[int, str] = {}
    for i, cat in enumerate(categories):
        if not (isinstance(cat, dict) and isinstance(cat.get('id'), int)
                and isinstance(cat.get('name'), str) and cat['name']):
            raise CocoFormatError(f'{ann_file}: categories[{i}] needs an '
                                  f'integer "id" and a "name", got {cat!r}')
        if cat['id'] in seen:
            raise CocoFormatError(f'{ann_file}: categories[{i}]: id '
                                  f'{cat["id"]} appears twice')
        seen[cat['id']] = cat['name']
    ids = sorted(seen)
    names = [seen[i] for i in ids]
    if len(set(names)) != len(names):
        raise CocoFormatError(f'{ann_file}: category names appear twice')
    return names, {cid: idx for idx, cid in enumerate(ids)}


def _relpath(path: str, start: str) -> str:
    """``path`` relative to ``start`` through the real folders (correct
    when a folder on the way is itself a link); absolute when no relative
    path exists (another drive)."""
    real = osp.join(osp.realpath(osp.dirname(path)), osp.basename(path))
    try:
        return osp.relpath(real, osp.realpath(start))
    except ValueError:
        return osp.abspath(path)


def link_image(src: str, dst: str, link: str) -> bool:
    """Make ``dst`` a symbolic or hard link to ``src``.

    Returns:
        False when ``dst`` already is that file (a rerun), True otherwise.

    Raises:
        FileExistsError: ``dst`` is another file.
        OSError: a hard link across file systems (message says so).
    """
    if osp.lexists(dst):
        if osp.exists(dst) and osp.samefile(src, dst):
            return False
        raise FileExistsError(f'{dst} exists and is not {src}: remove it or '
                              'convert into another folder')
    if link == 'symlink':
        os.symlink(_relpath(src, osp.dirname(dst)), dst)
    else:
        try:
            os.link(src, dst)
        except OSError as err:
            raise OSError(f'cannot hard-link {src} to {dst} ({err}); hard '
                          'links need one file system: use --link symlink'
                          ) from None
    return True


def _load_json(ann_file: str) -> dict:
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'annotation file not found: {ann_file}')
    try:
        with open(ann_file) as f:
            data = json.load(f)
    except ValueError as err:
        raise CocoFormatError(f'{ann_file}: not a readable JSON file ({err})'
                              ) from None
    if not isinstance(data, dict):
        raise CocoFormatError(f'{ann_file}: expected a COCO instances object')
    for key in ('images', 'annotations', 'categories'):
        if not isinstance(data.get(key), list):
            raise CocoFormatError(f'{ann_file}: missing the "{key}" list '
                                  '(a COCO instances file has images, '
                                  'annotations and categories)')
    return data


def read_coco(ann_file: str, image_dir: str
              ) -> Tuple[List[str], List[dict], int, int]:
    """Read and check a COCO instances file whole.

    Returns:
        tuple: ``(classes, images, num_left_out, num_annotations)`` where
        each image is ``{file_name, height, width, src, instances}`` (only
        images with annotations, sorted by file name).

    Raises:
        CocoFormatError: a bad entry, named with its file and index.
        FileNotFoundError: the file, or an image under ``image_dir``.
    """
    data = _load_json(ann_file)
    classes, cat_index = coco_classes(data['categories'], ann_file)
    images: Dict[Any, dict] = {}
    names: Dict[str, int] = {}
    for i, img in enumerate(data['images']):
        where = f'{ann_file}: images[{i}]'
        if not (isinstance(img, dict) and isinstance(img.get('file_name'), str)
                and isinstance(img.get('height'), int)
                and isinstance(img.get('width'), int) and 'id' in img):
            raise CocoFormatError(f'{where} needs "id", "file_name", '
                                  f'"height" and "width", got {img!r}')
        if osp.basename(img['file_name']) != img['file_name'] or \
                not img['file_name']:
            raise CocoFormatError(f'{where}: file_name {img["file_name"]!r} '
                                  'must be a plain file name (the format '
                                  'keeps every image in DIR/images)')
        if img['file_name'] in names:
            raise CocoFormatError(f'{where}: file_name {img["file_name"]!r} '
                                  f'is also images[{names[img["file_name"]]}]')
        names[img['file_name']] = i
        if img['id'] in images:
            raise CocoFormatError(f'{where}: image id {img["id"]} appears '
                                  'twice')
        images[img['id']] = dict(file_name=img['file_name'],
                                 height=img['height'], width=img['width'],
                                 index=i, instances=[])
    for i, ann in enumerate(data['annotations']):
        where = f'{ann_file}: annotations[{i}] (id {ann.get("id")})' \
            if isinstance(ann, dict) else f'{ann_file}: annotations[{i}]'
        if not isinstance(ann, dict):
            raise CocoFormatError(f'{where} is not an object')
        img = images.get(ann.get('image_id'))
        if img is None:
            raise CocoFormatError(f'{where}: image_id {ann.get("image_id")} '
                                  'is not in images')
        if ann.get('category_id') not in cat_index:
            raise CocoFormatError(
                f'{where}: category_id {ann.get("category_id")} is not in '
                f'categories (ids {sorted(cat_index)[0]}..'
                f'{sorted(cat_index)[-1]})')
        seg = ann.get('segmentation')
        check_segmentation(seg, img['height'], img['width'], where)
        img['instances'].append((cat_index[ann['category_id']],
                                 bool(ann.get('iscrowd', 0)), seg))
    kept = sorted((img for img in images.values() if img['instances']),
                  key=lambda img: img['file_name'])
    for img in kept:
        img['src'] = osp.join(image_dir, img['file_name'])
        if not osp.isfile(img['src']):
            raise FileNotFoundError(
                f'image not found: {img["src"]} ({ann_file}: '
                f'images[{img["index"]}], file_name {img["file_name"]!r})')
    return classes, kept, len(images) - len(kept), len(data['annotations'])


def _check_other_split(out_dir: str, split: str, classes: List[str]) -> None:
    for other in SPLITS:
        path = osp.join(out_dir, f'{other}.json')
        if other == split or not osp.isfile(path):
            continue
        theirs = split_classes(path)
        if theirs != classes:
            raise CocoFormatError(
                f'{path} holds {len(theirs)} other classes than this '
                f'{split} split ({len(classes)}): both splits of a folder '
                'must share one class list; convert into another folder')


def _size_mismatch(img: dict) -> Optional[str]:
    """Why ``img``'s annotated ``height`` and ``width`` are not those of
    the image as it loads (EXIF orientation applied, the rule of
    :mod:`seenet_mm.images`), or None."""
    height, width, turn = loaded_size(img['src'])
    if (height, width) == (img['height'], img['width']):
        return None
    message = (f'{img["src"]} (images[{img["index"]}]) loads as {width}x'
               f'{height}, its annotation says {img["width"]}x'
               f'{img["height"]}')
    if (width, height) == (img['height'], img['width']) and turn != 1:
        message += (f': the annotation is in the stored frame, and the '
                    f'image loads turned by its EXIF orientation tag '
                    f'({turn}); remove the tag (e.g. exiftool '
                    '-Orientation= FILE) so that it loads as stored')
    return message


def check_loaded_sizes(images: Sequence[dict], workers: int = 1) -> None:
    """Every image must load at its annotated size, or its mask would not
    line up with it: one :class:`CocoFormatError` naming every image that
    does not (read from the headers, before anything is written)."""
    if workers > 1 and len(images) > 1:
        from multiprocessing import Pool
        with Pool(workers) as pool:
            found = pool.map(_size_mismatch, images, chunksize=64)
    else:
        found = [_size_mismatch(img) for img in images]
    bad = [m for m in found if m is not None]
    if bad:
        raise CocoFormatError(listing(
            f'{len(bad)} image(s) do not load at their annotated size, so '
            'their masks would not line up', bad))


def convert_one(job: Tuple) -> Tuple[str, bool, bool]:
    """Link one image and write its mask (a pool worker).

    Args:
        job: ``(image, out_dir, link)``, the image as :func:`read_coco`
            returns it.

    Returns:
        tuple: ``(img_path for the JSON, linked now, mask written now)``.
    """
    img, out_dir, link = job
    img_path = img['file_name']
    linked = link != 'none' and link_image(
        img['src'], osp.join(out_dir, 'images', img_path), link)
    mask_path = osp.join(out_dir, 'masks', osp.splitext(img_path)[0] + '.png')
    if osp.isfile(mask_path):
        return img_path, linked, False
    save_label_png(mask_path, draw_mask(img['instances'], img['height'],
                                        img['width']))
    return img_path, linked, True


def convert_coco(ann_file: str, image_dir: str, out_dir: str,
                 split: Optional[str] = None, link: str = 'symlink',
                 workers: int = 1, progress: bool = True) -> Dict[str, Any]:
    """Convert one COCO instances file into ``out_dir`` (see the module
    docstring for the layout).

    Args:
        ann_file: ``instances_train2014.json`` or ``instances_val2014.json``.
        image_dir: the folder of its images (``train2014``).
        out_dir: the own-folder dataset; the other split may be there
            already (same classes).
        split: ``train`` or ``val``; None guesses it from ``ann_file``.
        link: ``symlink``, ``hardlink`` or ``none``.
        workers: processes drawing masks.
        progress: show a progress bar.

    Returns:
        dict: ``split``, ``json`` (path), ``classes``, ``link``,
        ``images`` (in the JSON), ``left_out`` (no annotation),
        ``annotations``, ``masks_written``, ``masks_existing``,
        ``links_made``.
    """
    if link not in LINK_MODES:
        raise ValueError(f'link must be one of {LINK_MODES}, got {link!r}')
    split = guess_split(ann_file) if split is None else split
    if split not in SPLITS:
        raise ValueError(f'split must be one of {SPLITS}, got {split!r}')
    if not osp.isdir(image_dir):
        raise FileNotFoundError(f'image folder not found: {image_dir}')
    pycocotools_mask()  # fail before reading a large file
    classes, images, left_out, num_anns = read_coco(ann_file, image_dir)
    _check_other_split(out_dir, split, classes)
    check_loaded_sizes(images, workers)
    for sub in ('images', 'masks'):
        os.makedirs(osp.join(out_dir, sub), exist_ok=True)
    jobs = [(img, out_dir, link) for img in images]
    bar = None
    if progress and jobs:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(jobs), file=sys.stdout)
    results = []
    if workers > 1 and len(jobs) > 1:
        from multiprocessing import Pool
        with Pool(workers) as pool:
            for result in pool.imap(convert_one, jobs, chunksize=16):
                results.append(result)
                if bar is not None:
                    bar.update()
    else:
        for job in jobs:
            results.append(convert_one(job))
            if bar is not None:
                bar.update()
    if bar is not None:
        sys.stdout.write('\n')
    data_list = [dict(img_path=img_path, gt_label=sorted(
        {cls for cls, _, _ in img['instances']}))
        for img, (img_path, _, _) in zip(images, results)]
    json_path = osp.join(out_dir, f'{split}.json')
    write_json(json_path, dict(metainfo=dict(classes=classes),
                               data_list=data_list))
    written = sum(r[2] for r in results)
    return dict(split=split, json=json_path, classes=classes, link=link,
                images=len(data_list), left_out=left_out,
                annotations=num_anns, masks_written=written,
                masks_existing=len(results) - written,
                links_made=sum(r[1] for r in results))


def format_summary(summary: Dict[str, Any]) -> str:
    """One paragraph for the command line."""
    images = osp.join(osp.dirname(summary['json']), 'images')
    links = (f'links made: {summary["links_made"]}'
             if summary.get('link', 'symlink') != 'none' else
             f'nothing linked (--link none): put the images into {images}')
    return (f'{summary["split"]}: {summary["images"]} images with '
            f'{summary["annotations"]} annotations of '
            f'{len(summary["classes"])} classes in {summary["json"]}; '
            f'{summary["left_out"]} images without annotations left out\n'
            f'masks: {summary["masks_written"]} written, '
            f'{summary["masks_existing"]} already there; {links}')


__all__ = ['CocoFormatError', 'guess_split', 'coco_classes', 'draw_mask',
           'link_image', 'read_coco', 'convert_one', 'convert_coco',
           'format_summary', 'SPLITS', 'LINK_MODES']
