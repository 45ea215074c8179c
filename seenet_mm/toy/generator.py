"""A small synthetic dataset in PASCAL VOC 2012's layout (the toy set).

Every image holds 1-3 objects on a textured background. An object of class
``c`` is a body of a class-specific shape, filled with a low-contrast texture
of class-specific stripe direction and tint, plus a small, saturated,
class-coloured *part* on one side. The part alone tells the class (the easy
cue that classification attention locks onto); the body is the rest of the
object that an integral attention must also cover. Saliency maps imitate a
real saliency model: blurred, sometimes missing part of an object, sometimes
firing on background blobs.

Layout written under ``OUT``::

    VOCdevkit/VOC2012/JPEGImages/<name>.jpg
    VOCdevkit/VOC2012/Annotations/<name>.xml         (object names + boxes)
    VOCdevkit/VOC2012/SegmentationClass/<name>.png   (VOC palette, 255 edges)
    VOCdevkit/VOC2012/ImageSets/Segmentation/{train,val,trainaug}.txt
    VOCdevkit/VOC2012/saliency/<name>.png            (grey 0..255)
    VOCdevkit/VOC2012/context/<name>.png             (--context only: 255
                                                      on context pixels)
    VOCdevkit/VOC2012/toy_meta.json

or, with any class names (:func:`generate_toy_folder`), the own-folder
format of :mod:`seenet_mm.datasets.image_folder` directly under ``OUT``::

    images/<name>.jpg, masks/<name>.png, saliency/<name>.png,
    train.json, val.json, toy_meta.json
"""
from __future__ import annotations

import json
import os
import os.path as osp
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from typing import List, Optional, Sequence, Tuple
from xml.etree import ElementTree as ET

import cv2
import numpy as np
from PIL import Image

from ..metainfo import IGNORE_INDEX, VOC_CLASSES, voc_palette

# Default subset of VOC classes: 8 classes keep tiny models quick to train
# while still exercising multi-class images; any of the 20 names works.
DEFAULT_CLASSES = ('aeroplane', 'bird', 'boat', 'car', 'cat', 'dog', 'horse',
                   'person')
# Body outlines, unit polygons (x, y in [-1, 1]); cycled over class ids.
_SHAPES: Tuple[np.ndarray, ...] = tuple(
    np.asarray(p, dtype=np.float32) for p in (
        [(np.cos(t), 0.6 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 24,
                                                           endpoint=False)],
        [(-1, -0.6), (1, -0.6), (1, 0.6), (-1, 0.6)],
        [(0, -1), (1, 0.8), (-1, 0.8)],
        [(0, -1), (0.8, 0), (0, 1), (-0.8, 0)],
        [(np.cos(t), np.sin(t)) for t in np.linspace(0, 2 * np.pi, 6,
                                                     endpoint=False)],
        [(-1, -0.3), (-0.3, -0.3), (-0.3, -1), (0.3, -1), (0.3, -0.3),
         (1, -0.3), (1, 0.3), (0.3, 0.3), (0.3, 1), (-0.3, 1), (-0.3, 0.3),
         (-1, 0.3)],
        [(-1, 0.2), (-0.2, -1), (1, -0.4), (0.6, 1)],
    ))
# Where the discriminative part sits on the body (unit coordinates).
_PART_SIDES = ((0.0, -0.75), (0.7, 0.0), (0.0, 0.7), (-0.7, 0.0))


@dataclass
class ToyConfig:
    """Settings of the toy set; stored in ``toy_meta.json``."""

    num_images: int = 500
    val_fraction: float = 0.2
    seed: int = 0
    classes: Sequence[str] = DEFAULT_CLASSES
    width_range: Tuple[int, int] = (128, 192)
    height_range: Tuple[int, int] = (96, 160)
    # probabilities of 1, 2, 3 classes in an image (>= 30% multi-class)
    classes_per_image: Tuple[float, float, float] = (0.5, 0.35, 0.15)
    saliency_miss_prob: float = 0.3
    saliency_false_prob: float = 0.3
    # class-correlated context (off: the default toy set): a region of
    # class-specific texture next to an object (below it, as rails under a
    # train) in ``context_prob`` of its instances; bodies then carry only
    # weak class cues (``body_cue`` of the class tint, the rest a shared
    # grey, one stripe pattern for all classes); the part stays strong
    context: bool = False
    context_prob: float = 0.8
    body_cue: float = 0.25
    # a saliency model that also fires on context (real ones do on some):
    # in this share of the images with context, the saliency map holds the
    # context at 0.4-0.9 (0: never, the context toy set as it was)
    saliency_context_prob: float = 0.0

    def meta(self) -> dict:
        """What ``toy_meta.json`` records: every setting, the context ones
        only when ``context`` is on (so the meta of a set without context
        is what it was before the option existed)."""
        meta = asdict(self)
        meta['classes'] = list(self.classes)
        if not self.context:
            for key in ('context', 'context_prob', 'body_cue'):
                meta.pop(key)
        if not self.context or not self.saliency_context_prob:
            meta.pop('saliency_context_prob')
        return meta

    def validate(self, voc_names: bool = True) -> None:
        """Check the settings; ``voc_names``: the classes must be VOC's
        (the VOC layout names its objects in XML files)."""
        if not self.classes:
            raise ValueError('toy set: no class given')
        if not 0 <= self.saliency_context_prob <= 1:
            raise ValueError(f'toy set: saliency_context_prob must be in '
                             f'[0, 1], got {self.saliency_context_prob}')
        if self.saliency_context_prob and not self.context:
            raise ValueError('toy set: saliency_context_prob needs context')
        if len(set(self.classes)) != len(self.classes):
            raise ValueError(f'toy set: a class is given twice in '
                             f'{list(self.classes)}')
        for name in self.classes:
            if voc_names and name not in VOC_CLASSES[1:]:
                raise KeyError(f'toy set: {name!r} is not a VOC class name '
                               '(other names: the own-folder format)')
            if not name or name == 'background':
                raise ValueError(f'toy set: {name!r} cannot be a class name')
        if self.num_images < 2:
            raise ValueError('toy set: num_images must be >= 2')
        if not 0 < self.val_fraction < 1:
            raise ValueError('toy set: val_fraction must be in (0, 1)')
        if not 0 <= self.context_prob <= 1 or not 0 <= self.body_cue <= 1:
            raise ValueError('toy set: context_prob and body_cue must be in '
                             '[0, 1]')
        if abs(sum(self.classes_per_image) - 1) > 1e-6:
            raise ValueError('toy set: classes_per_image must sum to 1')


def _class_style(cid: int, rank: int, n_classes: int,
                 body_cue: Optional[float] = None) -> dict:
    """Deterministic appearance of VOC class ``cid`` (1..20), the ``rank``-th
    of the ``n_classes`` classes in use (hues spread evenly over them).

    ``body_cue`` (context sets): the body's tint keeps only this share of
    the class colour (the rest a shared grey) and all classes share one
    stripe pattern; the style then also holds the class's context look.
    """
    hue = rank / n_classes
    rgb = cv2.cvtColor(
        np.uint8([[[int(hue * 179), 230, 235]]]), cv2.COLOR_HSV2RGB)[0, 0]
    tint = cv2.cvtColor(
        np.uint8([[[int(hue * 179), 90, 170]]]), cv2.COLOR_HSV2RGB)[0, 0]
    style = dict(
        part_rgb=rgb.astype(np.float32),
        body_rgb=tint.astype(np.float32),
        shape=_SHAPES[cid % len(_SHAPES)],
        stripe_angle=(cid * 37) % 180 * np.pi / 180,
        stripe_period=4 + (cid % 4) * 2,
        part_side=_PART_SIDES[cid % len(_PART_SIDES)],
    )
    if body_cue is not None:
        grey = np.float32([150, 150, 150])
        style.update(
            body_rgb=(body_cue * tint + (1 - body_cue) * grey).astype(
                np.float32),
            stripe_angle=np.pi / 4, stripe_period=6,
            # context: a saturated class hue, darker than the part, with
            # class-specific line spacing (rails, water, grass ...)
            context_rgb=cv2.cvtColor(
                np.uint8([[[int(((rank + 0.5) / n_classes) * 179) % 180,
                            200, 150]]]), cv2.COLOR_HSV2RGB)[0, 0].astype(
                np.float32),
            context_period=3 + rank % 4)
    return style


def _draw_context(rng: np.random.Generator, img: np.ndarray,
                  context: np.ndarray, mask: np.ndarray, style: dict
                  ) -> None:
    """A band of the class's context texture next to the object of
    ``mask``: below it (as rails under a train), or above when the image
    ends too soon below; as wide as the object, 0.4-0.7 of its height.
    Drawn into ``img`` and marked in ``context`` (pixels the object covers
    are left out)."""
    h, w = mask.shape
    ys, xs = np.nonzero(mask)
    obj_h = int(ys.max() - ys.min()) + 1
    height = max(3, int(obj_h * rng.uniform(0.4, 0.7)))
    overlap = int(0.15 * obj_h)
    if h - (int(ys.max()) - overlap) >= height or \
            h - int(ys.max()) >= int(ys.min()):
        y0 = int(ys.max()) - overlap
    else:
        y0 = int(ys.min()) + overlap - height
    x0, x1 = int(xs.min()), int(xs.max()) + 1
    pad = int((x1 - x0) * rng.uniform(0.0, 0.25))
    x0, x1 = max(0, x0 - pad), min(w, x1 + pad)
    y0, y1 = max(0, y0), min(h, y0 + height)
    if y1 <= y0 or x1 <= x0:
        return
    band = np.zeros((h, w), bool)
    band[y0:y1, x0:x1] = True
    band &= ~mask
    yy = np.arange(h, dtype=np.float32)[:, None]
    lines = (np.floor(yy / style['context_period']) % 2).astype(np.float32)
    tex = style['context_rgb'][None, None] * (0.75 + 0.4 * lines[..., None])
    tex = np.broadcast_to(tex, img.shape)
    img[band] = tex[band]
    context |= band


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """Smooth colour gradient, grey distractor blobs and sensor noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    c0, c1 = rng.uniform(60, 200, size=(2, 3)).astype(np.float32)
    t = (xx / w * rng.uniform(-1, 1) + yy / h * rng.uniform(-1, 1))
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    img = c0[None, None] * (1 - t[..., None]) + c1[None, None] * t[..., None]
    for _ in range(rng.integers(0, 4)):
        grey = float(rng.uniform(40, 220))
        cv2.circle(img, (int(rng.integers(0, w)), int(rng.integers(0, h))),
                   int(rng.integers(4, max(5, min(h, w) // 6))),
                   (grey, grey, grey), -1)
    return img + rng.normal(0, 6, size=img.shape).astype(np.float32)


def _draw_object(rng: np.random.Generator, img: np.ndarray,
                 label: np.ndarray, cid: int, style: dict
                 ) -> Optional[np.ndarray]:
    """Draw one object of class ``cid``; returns its mask."""
    h, w = label.shape
    scale = rng.uniform(0.18, 0.32) * min(h, w)
    cx = rng.uniform(scale, w - scale)
    cy = rng.uniform(scale, h - scale)
    angle = rng.uniform(-0.4, 0.4)
    rot = np.array([[np.cos(angle), -np.sin(angle)],
                    [np.sin(angle), np.cos(angle)]], dtype=np.float32)
    aspect = np.array([rng.uniform(0.85, 1.2), rng.uniform(0.85, 1.2)],
                      dtype=np.float32)

    def to_img(pts: np.ndarray) -> np.ndarray:
        return ((pts * aspect) @ rot.T * scale + (cx, cy)).round().astype(
            np.int32)

    body = np.zeros((h, w), np.uint8)
    cv2.fillPoly(body, [to_img(style['shape'])], 1)
    # class texture: stripes of class-specific direction and period
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = style['stripe_angle']
    phase = (xx * np.cos(theta) + yy * np.sin(theta)) / style['stripe_period']
    stripes = (np.sin(2 * np.pi * phase) > 0).astype(np.float32)
    body_rgb = style['body_rgb'][None, None] * (0.8 + 0.35 * stripes[..., None])
    part = np.zeros((h, w), np.uint8)
    px, py = to_img(np.asarray([style['part_side']], np.float32))[0]
    cv2.circle(part, (int(px), int(py)), max(2, int(scale * 0.28)), 1, -1)
    mask = (body | part).astype(bool)
    if mask.sum() < 12:
        return None
    img[body.astype(bool)] = body_rgb[body.astype(bool)]
    img[part.astype(bool)] = style['part_rgb']
    label[mask] = cid
    return mask


def _saliency(rng: np.random.Generator, fg: np.ndarray, cfg: ToyConfig,
              context: Optional[np.ndarray] = None) -> np.ndarray:
    """Imitation of a saliency model's output for foreground mask ``fg``
    (and, in ``cfg.saliency_context_prob`` of the images, for ``context``
    too)."""
    h, w = fg.shape
    sal = fg.astype(np.float32)
    # no draw at probability 0: the sets made before the option stay as
    # they were
    if cfg.saliency_context_prob > 0 and context is not None and \
            context.any() and rng.random() < cfg.saliency_context_prob:
        sal = np.maximum(sal, context * np.float32(rng.uniform(0.4, 0.9)))
    if rng.random() < cfg.saliency_miss_prob and fg.any():
        ys, xs = np.nonzero(fg)
        k = rng.integers(len(ys))
        hole = np.zeros((h, w), np.uint8)
        cv2.circle(hole, (int(xs[k]), int(ys[k])),
                   int(rng.integers(3, max(4, min(h, w) // 8))), 1, -1)
        sal *= 1 - 0.85 * hole
    if rng.random() < cfg.saliency_false_prob:
        blob = np.zeros((h, w), np.uint8)
        cv2.ellipse(blob, (int(rng.integers(0, w)), int(rng.integers(0, h))),
                    (int(rng.integers(4, w // 5)), int(rng.integers(4, h // 5))),
                    float(rng.uniform(0, 180)), 0, 360, 1, -1)
        sal = np.maximum(sal, blob * rng.uniform(0.4, 0.8))
    sal = cv2.GaussianBlur(sal, (0, 0), sigmaX=float(rng.uniform(1.5, 3.5)))
    sal += rng.normal(0, 0.03, size=sal.shape).astype(np.float32)
    return (np.clip(sal, 0, 1) * 255).round().astype(np.uint8)


def style_ids(classes: Sequence[str]) -> List[int]:
    """The id that decides each class's look: its VOC id for a VOC name
    (so the VOC toy set stays as it was), ``21 + i`` for another name."""
    return [VOC_CLASSES.index(n) if n in VOC_CLASSES[1:] else 21 + i
            for i, n in enumerate(classes)]


def make_sample(index: int, cfg: ToyConfig,
                label_ids: Optional[Sequence[int]] = None) -> dict:
    """Generate sample ``index``: image, label map, saliency and objects.

    Deterministic in ``(cfg.seed, index)``.

    Args:
        index: the sample's index.
        cfg: the toy set's settings.
        label_ids: the value of each class in the label map (default: the
            VOC ids of the names; own-folder format: 1..M).
    """
    rng = np.random.default_rng([cfg.seed, index])
    w = int(rng.integers(cfg.width_range[0], cfg.width_range[1] + 1))
    h = int(rng.integers(cfg.height_range[0], cfg.height_range[1] + 1))
    ids = style_ids(cfg.classes)
    value = dict(zip(ids, label_ids if label_ids is not None else ids))
    cue = cfg.body_cue if cfg.context else None
    n_cls = int(rng.choice([1, 2, 3], p=list(cfg.classes_per_image)))
    chosen = rng.choice(ids, size=min(n_cls, len(ids)), replace=False)
    img = _background(rng, h, w)
    label = np.zeros((h, w), np.uint8)
    objects: List[Tuple[int, np.ndarray]] = []
    contexts: List[Tuple[np.ndarray, dict]] = []
    for cid in chosen:
        for _ in range(1 + int(rng.random() < 0.15)):  # sometimes 2 instances
            style = _class_style(int(cid), ids.index(int(cid)), len(ids),
                                 cue)
            mask = _draw_object(rng, img, label, value[int(cid)], style)
            if mask is not None:
                objects.append((value[int(cid)], mask))
                if cfg.context and rng.random() < cfg.context_prob:
                    contexts.append((mask, style))
    # visible masks after occlusion; keep objects that stayed visible
    visible = [(c, m & (label == c)) for c, m in objects]
    visible = [(c, m) for c, m in visible if m.sum() >= 12]
    fg = label > 0
    context = None
    if cfg.context:
        # the contexts go under the objects: redraw the objects' pixels
        objects_img = img.copy()
        context = np.zeros((h, w), bool)
        for mask, style in contexts:
            _draw_context(rng, img, context, mask, style)
        img[fg] = objects_img[fg]
        context &= ~fg
    edges = cv2.dilate(label, np.ones((3, 3), np.uint8)) != cv2.erode(
        label, np.ones((3, 3), np.uint8))
    seg = label.copy()
    seg[edges] = IGNORE_INDEX
    sample = dict(
        name=f'toy_{index:06d}',
        image=np.clip(img, 0, 255).astype(np.uint8),
        seg=seg,
        saliency=_saliency(rng, fg, cfg, context),
        objects=visible)
    if context is not None:
        sample['context'] = context
    return sample


def _annotation_xml(name: str, h: int, w: int,
                    objects: Sequence[Tuple[int, np.ndarray]]) -> bytes:
    root = ET.Element('annotation')
    ET.SubElement(root, 'folder').text = 'VOC2012'
    ET.SubElement(root, 'filename').text = f'{name}.jpg'
    size = ET.SubElement(root, 'size')
    for tag, val in (('width', w), ('height', h), ('depth', 3)):
        ET.SubElement(size, tag).text = str(val)
    ET.SubElement(root, 'segmented').text = '1'
    for cid, mask in objects:
        ys, xs = np.nonzero(mask)
        obj = ET.SubElement(root, 'object')
        ET.SubElement(obj, 'name').text = VOC_CLASSES[cid]
        ET.SubElement(obj, 'pose').text = 'Unspecified'
        ET.SubElement(obj, 'truncated').text = '0'
        ET.SubElement(obj, 'difficult').text = '0'
        box = ET.SubElement(obj, 'bndbox')
        for tag, val in (('xmin', xs.min() + 1), ('ymin', ys.min() + 1),
                         ('xmax', xs.max() + 1), ('ymax', ys.max() + 1)):
            ET.SubElement(box, tag).text = str(int(val))
    return ET.tostring(root)


def _write_pixels(sample: dict, root: str, palette: List[int],
                  image_dir: str, mask_dir: str) -> None:
    """The image (JPEG), the mask (palette PNG), the saliency map and, for
    context sets, the context mask of one sample, under ``root``."""
    name = sample['name']
    cv2.imwrite(osp.join(root, image_dir, f'{name}.jpg'),
                cv2.cvtColor(sample['image'], cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, 92])
    seg = Image.fromarray(sample['seg'], mode='P')
    seg.putpalette(palette)
    seg.save(osp.join(root, mask_dir, f'{name}.png'))
    Image.fromarray(sample['saliency'], mode='L').save(
        osp.join(root, 'saliency', f'{name}.png'))
    if 'context' in sample:
        os.makedirs(osp.join(root, 'context'), exist_ok=True)
        Image.fromarray(sample['context'].astype(np.uint8) * 255,
                        mode='L').save(osp.join(root, 'context',
                                                f'{name}.png'))


def _write_sample(sample: dict, voc: str, palette: List[int]) -> None:
    name = sample['name']
    h, w = sample['seg'].shape
    _write_pixels(sample, voc, palette, 'JPEGImages', 'SegmentationClass')
    with open(osp.join(voc, 'Annotations', f'{name}.xml'), 'wb') as f:
        f.write(_annotation_xml(name, h, w, sample['objects']))


def _is_same_set(folder: str, meta: dict, overwrite: bool) -> bool:
    """Whether ``folder`` holds a finished toy set with ``meta`` already
    (True: keep it). Another set there raises ``FileExistsError`` unless
    ``overwrite`` (False: the caller replaces it)."""
    meta_path = osp.join(folder, 'toy_meta.json')
    old = None
    if osp.isfile(meta_path):
        with open(meta_path) as f:
            old = json.load(f)
    if old == json.loads(json.dumps(meta)):
        return True
    if not overwrite:
        raise FileExistsError(
            f'{folder} exists and is not a toy set with these settings; '
            'pass --overwrite (or another --out) to replace it')
    return False


def generate_toy_dataset(out_dir: str, cfg: Optional[ToyConfig] = None,
                         overwrite: bool = False, progress: bool = True
                         ) -> str:
    """Write the toy set under ``out_dir`` (atomically) and return the path
    of its ``VOCdevkit/VOC2012`` folder.

    A finished toy set with the same settings is kept as it is; a different
    one raises ``FileExistsError`` unless ``overwrite``.
    """
    cfg = cfg or ToyConfig()
    cfg.validate(voc_names=True)
    meta = cfg.meta()
    devkit = osp.join(out_dir, 'VOCdevkit')
    voc_final = osp.join(devkit, 'VOC2012')
    if osp.exists(voc_final):
        if _is_same_set(voc_final, meta, overwrite):
            return voc_final
        shutil.rmtree(voc_final)
    os.makedirs(devkit, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.VOC2012.tmp-', dir=devkit)
    try:
        for sub in ('JPEGImages', 'Annotations', 'SegmentationClass',
                    'saliency', 'ImageSets/Segmentation'):
            os.makedirs(osp.join(tmp, sub))
        palette = voc_palette()
        names = []
        indices = range(cfg.num_images)
        if progress:
            from mmengine.utils import track_iter_progress
            # today's stdout: mmengine's default is the one it was imported
            # with, which a caller's redirection does not reach
            indices = track_iter_progress(list(indices), file=sys.stdout)
        for i in indices:
            sample = make_sample(i, cfg)
            _write_sample(sample, tmp, palette)
            names.append(sample['name'])
        n_val = max(1, int(round(cfg.num_images * cfg.val_fraction)))
        splits = dict(train=names[:-n_val], val=names[-n_val:],
                      trainaug=names[:-n_val])
        for split, split_names in splits.items():
            with open(osp.join(tmp, 'ImageSets', 'Segmentation',
                               f'{split}.txt'), 'w') as f:
                f.write('\n'.join(split_names) + '\n')
        with open(osp.join(tmp, 'toy_meta.json'), 'w') as f:
            json.dump(meta, f, indent=1)
        os.replace(tmp, voc_final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return voc_final


def generate_toy_folder(out_dir: str, cfg: Optional[ToyConfig] = None,
                        overwrite: bool = False, progress: bool = True
                        ) -> str:
    """Write the toy set in the own-folder format (any class names) as the
    folder ``out_dir`` (atomically: built beside it, then renamed) and
    return ``out_dir``. Class ``classes[i]`` is value ``i + 1`` of the
    masks and index ``i`` of ``gt_label``; images and pixels are those of
    :func:`generate_toy_dataset` for the same names and seed.

    A finished set with the same settings is kept; a different one raises
    ``FileExistsError`` unless ``overwrite``.
    """
    cfg = cfg or ToyConfig()
    cfg.validate(voc_names=False)
    meta = dict(cfg.meta(), format='folder')
    out_dir = osp.abspath(out_dir)
    if osp.exists(out_dir) and os.listdir(out_dir) and \
            _is_same_set(out_dir, meta, overwrite):
        return out_dir
    parent = osp.dirname(out_dir)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f'.{osp.basename(out_dir)}.tmp-',
                           dir=parent)
    try:
        for sub in ('images', 'masks', 'saliency'):
            os.makedirs(osp.join(tmp, sub))
        palette = voc_palette()
        label_ids = list(range(1, len(cfg.classes) + 1))
        entries = []
        indices = range(cfg.num_images)
        if progress:
            from mmengine.utils import track_iter_progress
            # today's stdout: mmengine's default is the one it was imported
            # with, which a caller's redirection does not reach
            indices = track_iter_progress(list(indices), file=sys.stdout)
        for i in indices:
            sample = make_sample(i, cfg, label_ids)
            name = sample['name']
            _write_pixels(sample, tmp, palette, 'images', 'masks')
            entries.append(dict(img_path=f'{name}.jpg', gt_label=sorted(
                {c - 1 for c, _ in sample['objects']})))
        n_val = max(1, int(round(cfg.num_images * cfg.val_fraction)))
        for split, part in (('train', entries[:-n_val]),
                            ('val', entries[-n_val:])):
            with open(osp.join(tmp, f'{split}.json'), 'w') as f:
                json.dump(dict(metainfo=dict(classes=list(cfg.classes)),
                               data_list=part), f, indent=1)
        with open(osp.join(tmp, 'toy_meta.json'), 'w') as f:
            json.dump(meta, f, indent=1)
        if osp.exists(out_dir):
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir
