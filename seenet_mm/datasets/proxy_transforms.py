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

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..attention_codec import load_attention
from ..fileio import load_saliency
from .proxy_label import (BG_THRESHOLD, FG_THRESHOLD, PROXY_METHODS,
                          proxy_label, threshold_proxy_label)


def _stem(results: dict) -> str:
    return osp.splitext(osp.basename(results['img_path']))[0]


def _image_shape(results: dict):
    shape = results.get('ori_shape') or results['img'].shape[:2]
    return tuple(int(v) for v in shape[:2])


@TRANSFORMS.register_module()
class LoadSaliencyMap(BaseTransform):
    """``results['saliency']``: float32 ``[H, W]`` in [0, 1] from
    ``{saliency_dir}/{name}{suffix}``, resized to the image if needed."""

    def __init__(self, saliency_dir: str, suffix: str = '.png') -> None:
        self.saliency_dir = saliency_dir
        self.suffix = suffix

    def transform(self, results: dict) -> dict:
        path = osp.join(self.saliency_dir, _stem(results) + self.suffix)
        results['saliency'], _ = load_saliency(path, _image_shape(results))
        return results


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
