"""Your own folder of images with image-level labels (contract format).

The annotation files follow mmpretrain's ``MultiLabelDataset`` format (the
OpenMMLab multi-label annotation format), plus optional masks and saliency::

    DIR/images/<name>.jpg|.png     any size
    DIR/train.json, DIR/val.json   {"metainfo": {"classes": ["a", "b", ...]},
                                    "data_list": [{"img_path": "<name>.jpg",
                                                   "gt_label": [0, 2]}, ...]}
    DIR/masks/<name>.png           optional, evaluation only: 0 background,
                                   i + 1 = classes[i], 255 ignore
    DIR/saliency/<name>.png        optional, grey 0..255

``gt_label`` holds 0-based indices into ``classes`` (class names are
accepted too). Inside the package an image's labels are the ids 1..M
(``gt_class_ids``), id 0 being the background, as for VOC.

Every bad entry is one error naming the file and the entry; all checks run
before anything is returned, so a tool fails before it writes.
"""
from __future__ import annotations

import json
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.dataset import BaseDataset
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS, TRANSFORMS
from mmcv.transforms import BaseTransform

from ..metainfo import voc_palette

SPLIT_FILES = ('train.json', 'val.json')


class FolderFormatError(ValueError):
    """An annotation file of the own-folder format is malformed; the
    message names the file and the entry."""


def is_image_folder(root: str) -> bool:
    """Whether ``root`` looks like the own-folder format (``train.json``
    beside ``images/``)."""
    return osp.isfile(osp.join(root, 'train.json'))


def detect_layout(data_root: str) -> Tuple[str, str]:
    """``(layout, root)`` of a dataset folder: ``('folder', DIR)`` for the
    own-folder format (:func:`is_image_folder`), ``('voc', .../VOC2012)``
    for a folder holding ``VOCdevkit/VOC2012``, for ``VOCdevkit`` itself,
    or for a ``VOC2012`` folder itself (``JPEGImages`` in it).

    Raises:
        FileNotFoundError: ``data_root`` does not exist.
        ValueError: it is none of these, saying what was expected.
    """
    if not osp.isdir(data_root):
        raise FileNotFoundError(f'{data_root} does not exist')
    if is_image_folder(data_root):
        return 'folder', data_root
    for voc in (osp.join(data_root, 'VOCdevkit', 'VOC2012'),
                osp.join(data_root, 'VOC2012')):  # its parent, VOCdevkit
        if osp.isdir(voc):
            return 'voc', voc
    if osp.isdir(osp.join(data_root, 'JPEGImages')):
        return 'voc', data_root
    raise ValueError(
        f'{data_root} is neither a folder in the own-folder format '
        '(train.json, images/) nor a VOC root (a folder holding '
        'VOCdevkit/VOC2012, VOCdevkit itself, or a VOC2012 folder with '
        'JPEGImages/)')


def _load_json(path: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(f'annotation file not found: {path}')
    try:
        with open(path) as f:
            obj = json.load(f)
    except (OSError, ValueError) as err:
        raise FolderFormatError(f'{path}: not a readable JSON file ({err})'
                                ) from None
    if not isinstance(obj, dict):
        raise FolderFormatError(f'{path}: expected an object with '
                                '"metainfo" and "data_list"')
    return obj


def split_classes(path: str) -> List[str]:
    """``metainfo.classes`` of an annotation file: a non-empty list of
    distinct names (one error naming the file otherwise)."""
    obj = _load_json(path)
    meta = obj.get('metainfo')
    classes = meta.get('classes') if isinstance(meta, dict) else None
    if (not isinstance(classes, list) or not classes or
            not all(isinstance(c, str) and c for c in classes)):
        raise FolderFormatError(f'{path}: "metainfo": {{"classes": [...]}} '
                                'must be a non-empty list of class names')
    seen = set()
    for c in classes:
        if c in seen:
            raise FolderFormatError(f'{path}: class {c!r} is listed twice '
                                    'in metainfo.classes')
        seen.add(c)
    if len(classes) > 254:
        raise FolderFormatError(f'{path}: {len(classes)} classes; label '
                                'PNGs hold at most 254 (255 = ignore)')
    return list(classes)


def read_split(path: str, image_dir: Optional[str] = None,
               classes: Optional[Sequence[str]] = None,
               allow_unlabelled: bool = False
               ) -> Tuple[List[str], List[dict]]:
    """Read and check one annotation file of the own-folder format.

    Args:
        path: ``DIR/train.json`` or ``DIR/val.json``.
        image_dir: when given, every image must exist in it.
        classes: the class list to use (default: the file's own
            ``metainfo.classes``); the file's list must equal it.
        allow_unlabelled: accept entries with an empty ``gt_label``.

    Returns:
        tuple: the class names and one ``{img_path, img_id,
        gt_class_ids}`` per entry (``img_path`` relative to the image
        folder, ids 1..M).

    Raises:
        FolderFormatError: naming the file and the entry, for an empty
            ``data_list``, a label not in ``classes``, an index out of
            range, an image listed twice, a malformed entry.
        FileNotFoundError: a missing file or image.
    """
    obj = _load_json(path)
    own = split_classes(path)
    if classes is not None and list(classes) != own:
        raise FolderFormatError(
            f'{path}: metainfo.classes {own} differ from the classes in use '
            f'{list(classes)}')
    data_list = obj.get('data_list')
    if not isinstance(data_list, list):
        raise FolderFormatError(f'{path}: "data_list" must be a list')
    if not data_list:
        raise FolderFormatError(f'{path}: "data_list" is empty')
    index = {name: i for i, name in enumerate(own)}
    infos: List[dict] = []
    seen: Dict[str, int] = {}
    for n, entry in enumerate(data_list):
        where = f'{path}: data_list[{n}]'
        if not isinstance(entry, dict) or not isinstance(
                entry.get('img_path'), str) or not entry['img_path']:
            raise FolderFormatError(f'{where}: expected {{"img_path": '
                                    '"<name>.jpg", "gt_label": [...]}}')
        img_path = entry['img_path']
        where = f'{where} ({img_path})'
        if osp.isabs(img_path) or osp.normpath(img_path) != osp.basename(
                img_path):
            raise FolderFormatError(f'{where}: img_path must be a file name '
                                    'inside the images folder')
        img_id = osp.splitext(img_path)[0]
        if img_id in seen:
            raise FolderFormatError(
                f'{where}: image {img_id!r} is listed twice (also '
                f'data_list[{seen[img_id]}])')
        seen[img_id] = n
        labels = entry.get('gt_label')
        if isinstance(labels, (int, str)):
            labels = [labels]
        if not isinstance(labels, list):
            raise FolderFormatError(f'{where}: gt_label must be a list of '
                                    'class indices')
        ids = set()
        for lab in labels:
            if isinstance(lab, bool):
                raise FolderFormatError(f'{where}: gt_label {lab!r} is not a '
                                        'class index')
            if isinstance(lab, int):
                if not 0 <= lab < len(own):
                    raise FolderFormatError(
                        f'{where}: gt_label index {lab} out of range '
                        f'0..{len(own) - 1} ({len(own)} classes)')
                ids.add(lab + 1)
            elif isinstance(lab, str):
                if lab not in index:
                    raise FolderFormatError(
                        f'{where}: label {lab!r} is not in metainfo.classes '
                        f'({", ".join(own)})')
                ids.add(index[lab] + 1)
            else:
                raise FolderFormatError(f'{where}: gt_label {lab!r} is not a '
                                        'class index')
        if not ids and not allow_unlabelled:
            raise FolderFormatError(f'{where}: no class label (image-level '
                                    'training needs at least one)')
        if image_dir is not None and not osp.isfile(
                osp.join(image_dir, img_path)):
            raise FileNotFoundError(f'{where}: image not found: '
                                    f'{osp.join(image_dir, img_path)}')
        infos.append(dict(img_path=img_path, img_id=img_id,
                          gt_class_ids=sorted(ids)))
    return own, infos


def check_disjoint(path: str, other: str) -> None:
    """One error naming both files and the first image that is listed in
    both (train and val must not share images)."""
    if not (osp.isfile(path) and osp.isfile(other)):
        return
    names = {osp.splitext(e.get('img_path', ''))[0]
             for e in _load_json(other).get('data_list') or []
             if isinstance(e, dict)}
    for n, entry in enumerate(_load_json(path).get('data_list') or []):
        if isinstance(entry, dict) and osp.splitext(
                entry.get('img_path', ''))[0] in names:
            raise FolderFormatError(
                f'{path}: data_list[{n}] ({entry["img_path"]}): the image is '
                f'listed in {other} as well (train and val must not share '
                'images)')


def _other_split(path: str) -> Optional[str]:
    base = osp.basename(path)
    if base not in SPLIT_FILES:
        return None
    other = SPLIT_FILES[1 - SPLIT_FILES.index(base)]
    return osp.join(osp.dirname(path), other)


def _resolve(data_root: Optional[str], path: str) -> str:
    if data_root and not osp.isabs(path):
        return osp.join(data_root, path)
    return path


def _meta_classes(metainfo: Optional[dict]) -> Optional[List[str]]:
    if metainfo and metainfo.get('classes') is not None:
        return list(metainfo['classes'])
    return None


class _FolderMixin:
    """What both datasets of the format share: the classes read before
    mmengine sets up the metainfo, and the checked data list."""

    def _init_folder(self, ann_file: str, data_root: Optional[str],
                     check_overlap: bool) -> List[str]:
        self._ann_path = _resolve(data_root, ann_file)
        self.check_overlap = check_overlap
        return split_classes(self._ann_path)

    def _folder_infos(self, classes: Sequence[str]) -> List[dict]:
        if self.check_overlap:
            other = _other_split(self._ann_path)
            if other:
                check_disjoint(self._ann_path, other)
        img_dir = self.data_prefix.get('img_path', '')
        _, infos = read_split(self._ann_path, image_dir=img_dir,
                              classes=classes)
        seg_dir = self.data_prefix.get('seg_map_path')
        for info in infos:
            info['img_path'] = osp.join(img_dir, info['img_path'])
            if seg_dir:
                mask = osp.join(seg_dir, info['img_id'] + '.png')
                if self.masks_required or osp.isfile(mask):
                    info.update(seg_map_path=mask, reduce_zero_label=False,
                                seg_fields=[])
        return infos


@DATASETS.register_module()
class ImageLabelFolderDataset(_FolderMixin, BaseDataset):
    """Images with image-level labels in the own-folder format, for the
    attention network (the counterpart of
    :class:`~seenet_mm.datasets.VOCImageLabelDataset`).

    Args:
        ann_file: ``train.json`` or ``val.json``, relative to ``data_root``.
        data_prefix: ``img_path`` (default ``images``); with
            ``seg_map_path`` (``masks``) each data info whose mask exists
            also carries its path, for the seed metric.
        masks_required: with ``seg_map_path``, a missing mask is an error
            (default False: the image has no ``seg_map_path``, and
            :class:`LoadMaskIfExists` leaves it without ``gt_seg_map``).
        check_overlap: fail when an image of ``train.json`` is listed in
            ``val.json`` too (checked on whichever of the two is read).
        metainfo: ``classes`` here must equal the file's (the file
            decides M).

    Each data info has ``img_path``, ``img_id``, ``gt_class_ids`` (ids 1..M)
    and ``num_classes`` (M, read by ``PackImageLabelInputs``).
    """

    def __init__(self, ann_file: str = 'train.json',
                 data_root: Optional[str] = '',
                 data_prefix: Optional[dict] = None,
                 metainfo: Optional[dict] = None,
                 masks_required: bool = False,
                 check_overlap: bool = True, **kwargs) -> None:
        classes = self._init_folder(ann_file, data_root, check_overlap)
        wanted = _meta_classes(metainfo)
        if wanted is not None and wanted != classes:
            raise FolderFormatError(
                f'{self._ann_path}: metainfo.classes {classes} differ from '
                f'the config\'s metainfo.classes {wanted}')
        self.masks_required = masks_required
        metainfo = dict(metainfo or {}, classes=tuple(classes))
        super().__init__(ann_file=ann_file, data_root=data_root,
                         data_prefix=data_prefix or dict(img_path='images'),
                         metainfo=metainfo, **kwargs)

    def load_data_list(self) -> List[dict]:
        classes = list(self.metainfo['classes'])
        infos = self._folder_infos(classes)
        for info in infos:
            info['num_classes'] = len(classes)
        return infos


@DATASETS.register_module()
class ImageFolderSegDataset(_FolderMixin, BaseSegDataset):
    """The own-folder format for segmentation (mmseg's ``BaseSegDataset``):
    classes ``('background', *classes)``, the VOC palette, masks (or proxy
    labels) ``<seg_map_path>/<name>.png``.

    Args:
        ann_file: ``train.json`` or ``val.json``, relative to ``data_root``.
        data_prefix: ``img_path`` (default ``images``) and ``seg_map_path``
            (default ``masks``; the pipeline points the training set at its
            proxy labels).
        masks_required: a missing mask is an error (default True: mmseg's
            ``LoadAnnotations`` needs one per image).
        check_overlap: as :class:`ImageLabelFolderDataset`.
    """

    def __init__(self, ann_file: str = 'train.json',
                 data_root: Optional[str] = '',
                 data_prefix: Optional[dict] = None,
                 metainfo: Optional[dict] = None,
                 masks_required: bool = True,
                 check_overlap: bool = True, **kwargs) -> None:
        classes = self._init_folder(ann_file, data_root, check_overlap)
        full = ['background'] + classes
        wanted = _meta_classes(metainfo)
        if wanted is not None and wanted != full:
            raise FolderFormatError(
                f'{self._ann_path}: classes {full} (with the background) '
                f'differ from the config\'s metainfo.classes {wanted}')
        self.masks_required = masks_required
        palette = voc_palette()
        metainfo = dict(metainfo or {}, classes=tuple(full), palette=[
            palette[3 * i:3 * i + 3] for i in range(len(full))])
        super().__init__(ann_file=ann_file, data_root=data_root,
                         data_prefix=data_prefix or dict(
                             img_path='images', seg_map_path='masks'),
                         metainfo=metainfo, img_suffix='', seg_map_suffix='',
                         reduce_zero_label=False, **kwargs)

    def load_data_list(self) -> List[dict]:
        infos = self._folder_infos(list(self.metainfo['classes'])[1:])
        for info in infos:
            info['label_map'] = self.label_map
            info['reduce_zero_label'] = self.reduce_zero_label
            info['seg_fields'] = []
        return infos


@TRANSFORMS.register_module()
class LoadMaskIfExists(BaseTransform):
    """mmseg's ``LoadAnnotations`` for images that have a mask
    (``seg_map_path`` in the data info); the others pass unchanged, without
    ``gt_seg_map`` (the seed metric then leaves them out)."""

    def __init__(self, **kwargs) -> None:
        from mmseg.datasets.transforms import LoadAnnotations
        self._load = LoadAnnotations(**kwargs)

    def transform(self, results: dict) -> dict:
        if results.get('seg_map_path'):
            return self._load(results)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}({self._load!r})'


def validate_folder(root: str, workers: Optional[int] = None,
                    progress: bool = True
                    ) -> Tuple[List[str], Dict[str, List[dict]]]:
    """Check an own-folder dataset as a whole before any stage writes:
    ``train.json`` (required) and ``val.json`` (optional) share one class
    list and no image; every listed image exists and decodes whole; the
    masks (``masks/``) and saliency maps (``saliency/``) present are stored
    upright at the size of their image as it loads
    (:mod:`seenet_mm.images`). Every unreadable image, and every map that
    does not fit, is named in one error.

    Args:
        workers: processes decoding the images (default: the cores
            available).
        progress: show a progress bar while decoding.

    Returns:
        tuple: the classes and ``{split: data infos}`` of the files found.
    """
    from ..crf import cores_available
    from ..images import check_images, check_map_sizes
    train = osp.join(root, 'train.json')
    if not osp.isfile(train):
        raise FileNotFoundError(f'{root}: no train.json (the own-folder '
                                'format needs DIR/train.json and DIR/images)')
    image_dir = osp.join(root, 'images')
    classes, infos = read_split(train, image_dir=image_dir)
    splits = {'train': infos}
    val = osp.join(root, 'val.json')
    if osp.isfile(val):
        _, splits['val'] = read_split(val, image_dir=image_dir,
                                      classes=classes)
        check_disjoint(val, train)
    images = {info['img_id']: osp.join(image_dir, info['img_path'])
              for split in splits.values() for info in split}
    sizes = check_images(sorted(images.values()), progress=progress,
                         workers=cores_available() if workers is None
                         else workers, what=f'images of {root}')
    for sub, exact, what in (('masks', True, 'mask'),
                             ('saliency', False, 'saliency map')):
        pairs = [(img, osp.join(root, sub, name + '.png'))
                 for name, img in sorted(images.items())
                 if osp.isfile(osp.join(root, sub, name + '.png'))]
        check_map_sizes(pairs, sizes, exact=exact, what=what)
    return classes, splits

__all__ = ['ImageLabelFolderDataset', 'ImageFolderSegDataset',
           'LoadMaskIfExists', 'FolderFormatError', 'read_split',
           'split_classes', 'check_disjoint', 'validate_folder',
           'is_image_folder', 'detect_layout', 'SPLIT_FILES']
