"""Attention maps of a trained SeeNet (paper Sec. 3.4, "test phase").

Per image: resize to the test size (224 x 224), forward once, drop S_C,
normalise M_A and M_B per class to [0, 1], fuse ``M_F = max(M_A, M_B)``;
the same on the horizontally flipped image, flipped back (``M_H``);
``M_final = max(M_F, M_H)``; resize to the original resolution. Only the
image's ground-truth classes are kept. Options beyond the paper: several
test sizes fused by max or mean, and max-only normalisation (the authors'
notebook) instead of min-max.
"""
from __future__ import annotations

import os
import os.path as osp
import time
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from ..structures import ATTENTION_KEYS

EPS = 1e-5


def normalize_maps(maps: torch.Tensor, method: str = 'minmax'
                   ) -> torch.Tensor:
    """Per-map normalisation of ``[..., h, w]`` to [0, 1].

    ``minmax``: (m - min) / (max - min) (paper); ``max``: clip at 0 and
    divide by the max (the authors' notebook). Constant maps become 0.
    """
    if method == 'minmax':
        low = maps.amin(dim=(-2, -1), keepdim=True)
        high = maps.amax(dim=(-2, -1), keepdim=True)
        return (maps - low) / (high - low).clamp(min=EPS)
    if method == 'max':
        maps = maps.clamp(min=0)
        return maps / maps.amax(dim=(-2, -1), keepdim=True).clamp(min=EPS)
    raise ValueError(f"normalize_maps: method must be 'minmax' or 'max', "
                     f'got {method!r}')


class AttentionInferencer:
    """Turn images into fused attention maps with a SeeNet model.

    Args:
        model: a built :class:`SeeNet` in eval mode (any mode; ``cam``
            yields M_A only).
        sizes: test sizes (square, as the paper's 224 x 224); several sizes
            are fused by ``scale_fuse``.
        flip: add the horizontally flipped view (paper: yes).
        scale_fuse: ``max`` or ``mean`` over sizes.
        norm: ``minmax`` (paper) or ``max``.

    ``timings`` accumulates seconds spent in ``prepare`` (resizing and
    normalising the inputs), ``model`` (the forward passes) and ``post``
    (normalise, fuse, flip back, resize) for the benchmark.
    """

    def __init__(self, model: torch.nn.Module, sizes: Sequence[int] = (224, ),
                 flip: bool = True, scale_fuse: str = 'max',
                 norm: str = 'minmax') -> None:
        if scale_fuse not in ('max', 'mean'):
            raise ValueError(f"scale_fuse must be 'max' or 'mean', got "
                             f'{scale_fuse!r}')
        if not sizes:
            raise ValueError('at least one test size is needed')
        normalize_maps(torch.zeros(1, 1, 1), norm)  # validate early
        self.model = model
        self.sizes = tuple(int(s) for s in sizes)
        self.flip = flip
        self.scale_fuse = scale_fuse
        self.norm = norm
        self.timings: Dict[str, float] = defaultdict(float)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def _labels(self, classes: Sequence[Sequence[int]]) -> torch.Tensor:
        num = self.model.num_classes
        labels = torch.zeros(len(classes), num, device=self.device)
        for i, ids in enumerate(classes):
            for cid in ids:
                labels[i, cid - 1] = 1
        return labels

    @torch.no_grad()
    def _fused_views(self, images: List[np.ndarray], size: int,
                     labels: torch.Tensor) -> torch.Tensor:
        """``[B, M, h, w]`` = max over (M_A, M_B) x (view, flipped view),
        each normalised per class."""
        start = time.perf_counter()
        batch = [torch.from_numpy(np.ascontiguousarray(
            cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
            .transpose(2, 0, 1))) for img in images]
        data = self.model.data_preprocessor({'inputs': batch}, False)
        inputs = data['inputs']
        n = inputs.shape[0]
        if self.flip:
            inputs = torch.cat([inputs, inputs.flip(-1)])
            labels = torch.cat([labels, labels])
        self.timings['prepare'] += time.perf_counter() - start
        start = time.perf_counter()
        out = self.model.forward_branches(inputs, labels, with_c=False)
        self.timings['model'] += time.perf_counter() - start
        start = time.perf_counter()
        fused = normalize_maps(out['maps_a'], self.norm)
        if 'maps_b' in out:
            fused = torch.maximum(fused, normalize_maps(out['maps_b'],
                                                        self.norm))
        if self.flip:
            fused = torch.maximum(fused[:n], fused[n:].flip(-1))
        self.timings['post'] += time.perf_counter() - start
        return fused

    @torch.no_grad()
    def __call__(self, images: List[np.ndarray],
                 classes: Sequence[Sequence[int]]) -> List[np.ndarray]:
        """Args:
            images: BGR uint8 ``[H_i, W_i, 3]`` arrays (as ``mmcv.imread``).
            classes: per image, its VOC ids (1..20).

        Returns:
            list of float32 ``[K_i, H_i, W_i]`` maps in [0, 1], the classes in
            the given order.
        """
        for ids in classes:
            if not ids:
                raise ValueError('every image needs at least one class')
        labels = self._labels(classes)
        per_size = [self._fused_views(images, s, labels) for s in self.sizes]
        start = time.perf_counter()
        results = []
        for i, (img, ids) in enumerate(zip(images, classes)):
            idx = torch.as_tensor([c - 1 for c in ids], device=self.device)
            h, w = img.shape[:2]
            maps = [F.interpolate(fused[i:i + 1, idx], size=(h, w),
                                  mode='bilinear', align_corners=False)[0]
                    for fused in per_size]
            if len(maps) == 1:
                att = maps[0]
            elif self.scale_fuse == 'max':
                att = torch.stack(maps).amax(0)
            else:
                att = torch.stack(maps).mean(0)
            results.append(att.clamp_(0, 1).cpu().numpy())
        self.timings['post'] += time.perf_counter() - start
        return results


def save_attention(path: str, classes: Sequence[int], attention: np.ndarray
                   ) -> None:
    """Write ``{classes, attention (float16), ori_shape}`` atomically."""
    attention = np.asarray(attention)
    tmp = osp.join(osp.dirname(path) or '.',
                   '.' + osp.basename(path) + '.tmp')
    with open(tmp, 'wb') as f:
        np.savez(f, classes=np.asarray(classes, dtype=np.int64),
                 attention=attention.astype(np.float16),
                 ori_shape=np.asarray(attention.shape[1:], dtype=np.int64))
    os.replace(tmp, path)


def load_attention(path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Read an attention file; returns ``(classes int64 [K], attention
    float32 [K, H, W])``. Wrong or missing keys, shapes or values are one
    ``ValueError`` naming the file."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'attention file not found: {path}')
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
    except Exception as err:  # not a zip, pickled objects, truncated
        raise ValueError(f'{path}: not a readable attention file ({err})'
                         ) from None
    missing = [k for k in ATTENTION_KEYS if k not in arrays]
    if missing:
        raise ValueError(f'{path}: missing keys {missing} (found '
                         f'{sorted(arrays)})')
    classes = arrays['classes'].astype(np.int64).reshape(-1)
    attention = arrays['attention'].astype(np.float32)
    if attention.ndim != 3 or attention.shape[0] != len(classes):
        raise ValueError(f'{path}: attention must be [K, H, W] with K = '
                         f'{len(classes)} classes, got {attention.shape}')
    if len(classes) and (classes.min() < 1 or classes.max() > 20):
        raise ValueError(f'{path}: classes must be VOC ids 1..20, got '
                         f'{classes.tolist()}')
    if attention.size and (np.nanmin(attention) < 0 or
                           np.nanmax(attention) > 1 or
                           np.isnan(attention).any()):
        raise ValueError(f'{path}: attention values must be in [0, 1]')
    return classes, attention


def init_attention_model(config, checkpoint: Optional[str],
                         device: str = 'cpu') -> torch.nn.Module:
    """Build the model of ``config`` and load ``checkpoint`` strictly; a
    checkpoint of another model is one error naming both files."""
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    model_cfg = cfg.model.copy()
    if 'init_cfg' in model_cfg.get('backbone', {}):
        model_cfg.backbone.init_cfg = None  # weights come from checkpoint
    model = MODELS.build(model_cfg)
    if not hasattr(model, 'forward_branches'):
        raise ValueError(f'{getattr(config, "filename", config)}: the model '
                        f'is {type(model).__name__}, not a SeeNet')
    if checkpoint is not None:
        try:
            load_checkpoint(model, checkpoint, map_location='cpu',
                            strict=True, logger='silent')
        except (RuntimeError, KeyError) as err:
            first = str(err).strip().splitlines()[:3]
            raise ValueError(
                f'checkpoint {checkpoint} does not fit the model of '
                f'{getattr(cfg, "filename", config)}: ' + ' '.join(first)
            ) from None
    return model.to(device).eval()
