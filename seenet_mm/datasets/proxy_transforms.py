"""Build proxy labels while loading (same pixels as make_proxy_labels.py).

A segmentation pipeline on proxy labels made on the fly::

    dict(type='LoadImageFromFile'),
    dict(type='LoadSaliencyMap', saliency_dir='.../saliency'),
    dict(type='LoadAttentionMaps', attention_dir='work_dirs/att'),
    dict(type='GenerateProxyLabel', w=1.0),   # -> gt_seg_map
    ... geometric transforms, PackSegInputs

and without saliency maps (IRN's confident regions, 255 between them)::

    dict(type='LoadAttentionMaps', attention_dir='work_dirs/att'),
    dict(type='GenerateProxyLabel', method='threshold'),
"""
from __future__ import annotations

import os.path as osp
from typing import Optional, Sequence

import numpy as np

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..attention_codec import load_attention
from ..fileio import load_saliency
from .label_rules import (BG_THRESHOLD, FG_THRESHOLD, PROXY_METHODS,
                          proxy_label, threshold_proxy_label)


def _stem(results: dict) -> str:
    return osp.splitext(osp.basename(results['img_path']))[0]


def _image_shape(results: dict):
    shape = results.get('ori_shape') or results['img'].shape[:2]
    return tuple(int(v) for v in shape[:2])


@TRANSFORMS.register_module()
class LoadSaliencyMap(BaseTransform):
    """``results['saliency']``: float32 ``[H, W]`` in [0, 1] from
    ``{saliency_dir}/{name}{suffix}``, resized to the image if needed.

    Args:
        saliency_dir: the saliency maps; None: the ``saliency`` folder beside
            the image folder (``VOC2012/saliency`` for
            ``VOC2012/JPEGImages``, as the toy sets and the own-folder
            format keep them), so that a config need not name the data root.
        suffix: the maps' file ending.
    """

    def __init__(self, saliency_dir: Optional[str] = None,
                 suffix: str = '.png') -> None:
        self.saliency_dir = saliency_dir
        self.suffix = suffix

    def transform(self, results: dict) -> dict:
        folder = self.saliency_dir or osp.join(
            osp.dirname(osp.dirname(results['img_path'])), 'saliency')
        path = osp.join(folder, _stem(results) + self.suffix)
        results['saliency'], _ = load_saliency(path, _image_shape(results))
        return results


@TRANSFORMS.register_module()
class CarrySaliency(BaseTransform):
    """Run geometric ``transforms`` on the image and its saliency map alike.

    The map (``results['saliency']``, from :class:`LoadSaliencyMap`) rides
    as one more channel of ``img`` (8 bits, as the PNG it came from) through
    ``transforms`` and comes out as float32 in [0, 1] again at the image's
    new size, so that any crop, resize or flip of the image, whatever its
    implementation, moves the map the same way (interpolated as the image
    is). Only geometric transforms belong inside: a photometric one would
    change the map.

    Args:
        transforms: the transforms' configs (e.g.
            ``mmpretrain.RandomResizedCrop`` and ``RandomFlip``).
    """

    def __init__(self, transforms: Sequence[dict]) -> None:
        from mmcv.transforms import Compose
        self.transforms = Compose(list(transforms))

    def transform(self, results: dict) -> Optional[dict]:
        if 'saliency' not in results:
            raise KeyError('CarrySaliency needs results[\'saliency\']: put '
                           'LoadSaliencyMap before it')
        img, sal = results['img'], results.pop('saliency')
        if img.ndim != 3 or img.dtype != np.uint8:
            raise ValueError(f'CarrySaliency: {results.get("img_path")}: '
                             'expects an 8-bit [H, W, C] image, got '
                             f'{img.dtype} {img.shape}')
        if sal.shape != img.shape[:2]:
            raise ValueError(f'CarrySaliency: {results.get("img_path")}: '
                             f'saliency {sal.shape} differs from the image '
                             f'{img.shape[:2]}')
        channels = img.shape[2]
        grey = np.clip(np.rint(sal * 255.0), 0, 255).astype(np.uint8)
        results['img'] = np.concatenate([img, grey[..., None]], axis=2)
        results = self.transforms(results)
        if results is None:
            return None
        both = results['img']
        results['img'] = np.ascontiguousarray(both[..., :channels])
        results['saliency'] = both[..., channels].astype(np.float32) / 255.0
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(transforms={self.transforms})'


@TRANSFORMS.register_module()
class LoadAttentionMaps(BaseTransform):
    """``results['attention']`` ``[K, H, W]`` and
    ``results['attention_classes']`` from ``{attention_dir}/{name}.npz``.

    Args:
        attention_dir: the attention files.
        num_classes: M, the largest class id accepted (default None: any
            id a label PNG can hold, 1..254).
    """

    def __init__(self, attention_dir: str,
                 num_classes: Optional[int] = None) -> None:
        self.attention_dir = attention_dir
        self.num_classes = num_classes

    def transform(self, results: dict) -> dict:
        path = osp.join(self.attention_dir, _stem(results) + '.npz')
        classes, attention = load_attention(
            path, self.num_classes if self.num_classes else 254)
        if attention.shape[1:] != _image_shape(results):
            raise ValueError(f'{path}: attention size {attention.shape[1:]} '
                             f'differs from the image '
                             f'{_image_shape(results)}')
        results['attention'] = attention
        results['attention_classes'] = classes
        return results


@TRANSFORMS.register_module()
class GenerateProxyLabel(BaseTransform):
    """Proxy label -> ``gt_seg_map`` (added to ``seg_fields`` so later
    geometric transforms move it too).

    Args:
        method: ``'saliency'`` (default): Algorithm 1 on ``saliency`` and
            ``attention`` (:func:`seenet_mm.apis.proxy_label`);
            ``'threshold'``: from ``attention`` alone
            (:func:`seenet_mm.apis.threshold_proxy_label`).
        w, ignore_multi_thr, ignore_conflict: Algorithm 1's options.
        fg_thr, bg_thr: the thresholds of ``'threshold'`` (IRN: 0.30,
            0.05).
    """

    def __init__(self, w: float = 1.0,
                 ignore_multi_thr: Optional[float] = None,
                 ignore_conflict: Optional[Sequence[float]] = None,
                 method: str = 'saliency',
                 fg_thr: float = FG_THRESHOLD,
                 bg_thr: float = BG_THRESHOLD) -> None:
        if method not in PROXY_METHODS:
            raise ValueError(f'GenerateProxyLabel: method must be one of '
                             f'{PROXY_METHODS}, got {method!r}')
        self.method = method
        self.fg_thr = fg_thr
        self.bg_thr = bg_thr
        self.w = w
        self.ignore_multi_thr = ignore_multi_thr
        self.ignore_conflict = tuple(ignore_conflict) \
            if ignore_conflict is not None else None

    def transform(self, results: dict) -> dict:
        needed = ('attention', ) if self.method == 'threshold' else (
            'saliency', 'attention')
        for key in needed:
            if key not in results:
                raise KeyError(f'GenerateProxyLabel needs {key!r}: put '
                               'LoadSaliencyMap and LoadAttentionMaps before '
                               'it' if self.method == 'saliency' else
                               f'GenerateProxyLabel needs {key!r}: put '
                               'LoadAttentionMaps before it')
        if self.method == 'threshold':
            results['gt_seg_map'] = threshold_proxy_label(
                results.pop('attention'), results.pop('attention_classes'),
                fg_thr=self.fg_thr, bg_thr=self.bg_thr)
        else:
            results['gt_seg_map'] = self._algorithm1(results)
        fields = results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in fields:
            fields.append('gt_seg_map')
        return results

    def _algorithm1(self, results: dict):
        return proxy_label(
            results.pop('saliency'), results.pop('attention'),
            results.pop('attention_classes'), w=self.w,
            ignore_multi_thr=self.ignore_multi_thr,
            ignore_conflict=self.ignore_conflict)
