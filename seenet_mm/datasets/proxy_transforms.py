"""Build proxy labels while loading (same pixels as make_proxy_labels.py).

A segmentation pipeline on proxy labels made on the fly::

    dict(type='LoadImageFromFile'),
    dict(type='LoadSaliencyMap', saliency_dir='.../saliency'),
    dict(type='LoadAttentionMaps', attention_dir='work_dirs/att'),
    dict(type='GenerateProxyLabel', w=1.0),   # -> gt_seg_map
    ... geometric transforms, PackSegInputs
"""
from __future__ import annotations

import os.path as osp
from typing import Optional, Sequence

from mmcv.transforms import BaseTransform
from mmseg.registry import TRANSFORMS

from ..fileio import load_attention, load_saliency
from .proxy_label import proxy_label


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
    ``results['attention_classes']`` from ``{attention_dir}/{name}.npz``."""

    def __init__(self, attention_dir: str) -> None:
        self.attention_dir = attention_dir

    def transform(self, results: dict) -> dict:
        path = osp.join(self.attention_dir, _stem(results) + '.npz')
        classes, attention = load_attention(path)
        if attention.shape[1:] != _image_shape(results):
            raise ValueError(f'{path}: attention size {attention.shape[1:]} '
                             f'differs from the image '
                             f'{_image_shape(results)}')
        results['attention'] = attention
        results['attention_classes'] = classes
        return results


@TRANSFORMS.register_module()
class GenerateProxyLabel(BaseTransform):
    """Algorithm 1 on ``saliency`` and ``attention`` -> ``gt_seg_map``
    (added to ``seg_fields`` so later geometric transforms move it too).

    Args: as :func:`seenet_mm.apis.proxy_label`.
    """

    def __init__(self, w: float = 1.0,
                 ignore_multi_thr: Optional[float] = None,
                 ignore_conflict: Optional[Sequence[float]] = None) -> None:
        self.w = w
        self.ignore_multi_thr = ignore_multi_thr
        self.ignore_conflict = tuple(ignore_conflict) \
            if ignore_conflict is not None else None

    def transform(self, results: dict) -> dict:
        for key in ('saliency', 'attention'):
            if key not in results:
                raise KeyError(f'GenerateProxyLabel needs {key!r}: put '
                               'LoadSaliencyMap and LoadAttentionMaps before '
                               'it')
        results['gt_seg_map'] = proxy_label(
            results.pop('saliency'), results.pop('attention'),
            results.pop('attention_classes'), w=self.w,
            ignore_multi_thr=self.ignore_multi_thr,
            ignore_conflict=self.ignore_conflict)
        fields = results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in fields:
            fields.append('gt_seg_map')
        return results
