"""Attention maps of a trained SeeNet (paper Sec. 3.4, "test phase").

Per image: the config's test pipeline (resize to the test size, 224 x 224
in the paper), one forward, S_C dropped, M_A and M_B fused by
:func:`seenet_mm.models.fuse_attention` (per-class normalisation, max);
the same on the horizontally flipped image, flipped back (``M_H``);
``M_final = max(M_F, M_H)``; resized to the original resolution. Only the
image's classes are kept. Options beyond the paper: several test sizes
fused by max or mean, and max-only normalisation (the authors' notebook)
instead of min-max. The settings come from the model's ``test_cfg``.
"""
from __future__ import annotations

import copy
import time
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmcv.transforms import Compose
from mmengine.dataset import pseudo_collate
from mmseg.registry import TRANSFORMS

from ..engine.amp import amp_autocast
from ..models.classifiers.seenet import DEFAULT_TEST_CFG
from ..models.layers import NORMS, fuse_attention

# used when the model carries no config (a model built by hand)
DEFAULT_PIPELINE = [
    dict(type='LoadImageFromNDArray'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='PackImageLabelInputs'),
]


def attention_pipeline(pipeline_cfg: Sequence[dict], size: int) -> Compose:
    """The test pipeline of a config, made to take arrays at ``size``.

    As mmseg's ``MMSegInferencer``: ``LoadImageFromFile`` becomes
    ``LoadImageFromNDArray``, ``LoadAnnotations`` is dropped; every
    ``Resize`` gets ``scale=(size, size)``, so the config stays the one
    source of normalisation and resizing, and the test size is the model's
    ``test_cfg.sizes``.
    """
    steps = []
    resized = False
    for step in copy.deepcopy(list(pipeline_cfg)):
        kind = step['type']
        if kind in ('LoadAnnotations', 'LoadDepthAnnotation'):
            continue
        if kind in ('LoadImageFromFile', 'InferencerLoader'):
            step = dict(type='LoadImageFromNDArray')
        if kind in ('Resize', 'mmseg.Resize', 'mmcv.Resize'):
            step['scale'] = (size, size)
            step.pop('scale_factor', None)
            resized = True
        steps.append(step)
    if not resized:
        raise ValueError('the test pipeline has no Resize step: the '
                         'attention test size cannot be applied')
    return Compose([TRANSFORMS.build(step) for step in steps])


class AttentionInferencer:
    """Turn images into fused attention maps with a SeeNet model.

    Args:
        model: a built :class:`SeeNet` in eval mode (any mode; ``cam``
            yields M_A only). Its ``cfg`` (set by
            :func:`init_attention_model`) gives the test pipeline and its
            ``test_cfg`` the defaults of the arguments below.
        sizes: test sizes (square, as the paper's 224 x 224); several sizes
            are fused by ``scale_fuse``.
        flip: add the horizontally flipped view (paper: yes).
        scale_fuse: ``max`` or ``mean`` over sizes.
        norm: ``minmax`` (paper) or ``max``.
        pipeline: test pipeline configs (default: the model config's
            ``test_dataloader.dataset.pipeline``).
        amp: autocast dtype of the forward passes (``--amp``:
            :func:`seenet_mm.engine.amp.amp_dtype`), None for float32. The
            maps are fused and returned in float32 either way.
        channels_last: feed the inputs channels-last (NHWC), for a model
            whose weights are stored so
            (:func:`seenet_mm.engine.amp.to_channels_last`).

    ``timings`` accumulates seconds spent in ``prepare`` (the pipeline and
    the data preprocessor), ``model`` (the forward passes) and ``post``
    (fuse, flip back, resize) for the benchmark.
    """

    def __init__(self, model: torch.nn.Module,
                 sizes: Optional[Sequence[int]] = None,
                 flip: Optional[bool] = None,
                 scale_fuse: Optional[str] = None,
                 norm: Optional[str] = None,
                 pipeline: Optional[Sequence[dict]] = None,
                 amp: Optional[torch.dtype] = None,
                 channels_last: bool = False) -> None:
        test_cfg = dict(DEFAULT_TEST_CFG, **getattr(model, 'test_cfg', {}))
        sizes = test_cfg['sizes'] if sizes is None else sizes
        flip = test_cfg['flip'] if flip is None else flip
        scale_fuse = test_cfg['scale_fuse'] if scale_fuse is None \
            else scale_fuse
        norm = test_cfg['norm'] if norm is None else norm
        if scale_fuse not in ('max', 'mean'):
            raise ValueError(f"scale_fuse must be 'max' or 'mean', got "
                             f'{scale_fuse!r}')
        if not sizes:
            raise ValueError('at least one test size is needed')
        if norm not in NORMS:
            raise ValueError(f'norm must be one of {NORMS}, got {norm!r}')
        if pipeline is None:
            cfg = getattr(model, 'cfg', None)
            pipeline = cfg.test_dataloader.dataset.pipeline \
                if cfg is not None else DEFAULT_PIPELINE
        self.model = model
        self.sizes = tuple(int(s) for s in sizes)
        self.flip = bool(flip)
        self.scale_fuse = scale_fuse
        self.norm = norm
        self.pipeline_cfg = list(pipeline)
        self.pipelines = {s: attention_pipeline(pipeline, s)
                          for s in self.sizes}
        self.amp = amp
        self.channels_last = bool(channels_last)
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

    def prepare(self, images: List[np.ndarray], size: int) -> torch.Tensor:
        """``[B, 3, size, size]`` model inputs through the test pipeline and
        the model's data preprocessor."""
        if size not in self.pipelines:
            self.pipelines[size] = attention_pipeline(self.pipeline_cfg, size)
        pipeline = self.pipelines[size]
        batch = pseudo_collate([pipeline(dict(img=img)) for img in images])
        inputs = self.model.data_preprocessor(batch, False)['inputs']
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        return inputs

    def _branches(self, inputs: torch.Tensor,
                  labels: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The model's branch maps, under autocast when ``amp`` is set."""
        with amp_autocast(str(self.device), self.amp):
            return self.model.forward_branches(inputs, labels, with_c=False)

    @torch.no_grad()
    def _fused_views(self, images: List[np.ndarray], size: int,
                     labels: torch.Tensor) -> torch.Tensor:
        """``[B, M, h, w]``: the fusion of M_A and M_B, max over the view
        and the flipped view."""
        start = time.perf_counter()
        inputs = self.prepare(images, size)
        n = inputs.shape[0]
        if self.flip:
            inputs = torch.cat([inputs, inputs.flip(-1)])
            labels = torch.cat([labels, labels])
        self.timings['prepare'] += time.perf_counter() - start
        start = time.perf_counter()
        out = self._branches(inputs, labels)
        self.timings['model'] += time.perf_counter() - start
        start = time.perf_counter()
        fused = fuse_attention([out['maps_a'], out.get('maps_b')], labels,
                               self.norm)
        if self.flip:
            fused = torch.maximum(fused[:n], fused[n:].flip(-1))
        self.timings['post'] += time.perf_counter() - start
        return fused

    @torch.no_grad()
    def class_scores(self, images: List[np.ndarray]) -> np.ndarray:
        """``[B, M]``: the classifier's probabilities (sigmoid of S_A's
        logits, which do not depend on the image labels) at the first test
        size, averaged with the flipped view where flips are used."""
        inputs = self.prepare(images, self.sizes[0])
        n = inputs.shape[0]
        if self.flip:
            inputs = torch.cat([inputs, inputs.flip(-1)])
        labels = torch.zeros(inputs.shape[0], self.model.num_classes,
                             device=self.device)
        logits = self._branches(inputs, labels)['logits_a'].float()
        scores = logits.sigmoid()
        if self.flip:
            scores = (scores[:n] + scores[n:]) / 2
        return scores.cpu().numpy()

    @torch.no_grad()
    def __call__(self, images: List[np.ndarray],
                 classes: Sequence[Sequence[int]]) -> List[np.ndarray]:
        """Args:
            images: BGR uint8 ``[H_i, W_i, 3]`` arrays (as ``mmcv.imread``).
            classes: per image, its class ids (1..M).

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

    @torch.no_grad()
    def branch_maps(self, image: np.ndarray, classes: Sequence[int],
                    per_class: bool = False
                    ) -> Dict[str, Optional[np.ndarray]]:
        """M_A and M_B of one view at the first test size, each fused over
        the image's classes (normalised per class, max over classes) at
        the image's size; ``M_B`` is None for a ``cam`` model. ``T_A``:
        the zones S_A's maps give (0 erased, 1 potential, -1 background;
        ``SeeNet.erase_masks``) brought to the image's size by
        nearest-neighbour resizing, as ``ZoneMetric`` does.

        Args:
            image: BGR uint8 ``[H, W, 3]``.
            classes: its class ids (1..M).
            per_class: M_A and M_B as ``[K, H, W]``, one map per class of
                ``classes`` in that order, instead of their maximum.
        """
        labels = self._labels([classes])
        inputs = self.prepare([image], self.sizes[0])
        out = self._branches(inputs, labels)
        h, w = image.shape[:2]
        idx = torch.as_tensor([c - 1 for c in classes], device=self.device)
        maps: Dict[str, Optional[np.ndarray]] = {}
        for name, key in (('M_A', 'maps_a'), ('M_B', 'maps_b')):
            if key not in out:
                maps[name] = None
                continue
            fused = fuse_attention([out[key]], labels, self.norm)
            up = F.interpolate(fused, size=(h, w), mode='bilinear',
                               align_corners=False)[0].clamp(0, 1)
            maps[name] = (up[idx] if per_class else up.amax(0)).cpu().numpy()
        ternary = self.model.erase_masks(out['maps_a'].float(),
                                         labels)['ternary']
        maps['T_A'] = F.interpolate(ternary.float(), size=(h, w),
                                    mode='nearest')[0, 0].cpu().numpy()
        return maps


def init_model(config, checkpoint: Optional[str],
               trust_checkpoint: bool = False,
               expect: Optional[Tuple[str, str]] = None) -> torch.nn.Module:
    """Build the model of ``config`` (its backbone's pretrained init left
    out) and load ``checkpoint`` strictly; a checkpoint of another model is
    one error naming both files. ``expect``: ``(method, what)``, a method
    the model must have, else an error naming the config, the model's class
    and ``what`` it should be.

    The checkpoint is loaded with ``weights_only=True``; one that needs full
    unpickling raises :class:`seenet_mm.compat.UntrustedCheckpointError`
    unless ``trust_checkpoint`` (or ``SEENET_TRUSTED_CHECKPOINTS`` lists
    it). Returns the model on the CPU with ``model.cfg`` set."""
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint
    from mmseg.registry import MODELS
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model_cfg = cfg.model.copy()
    if 'init_cfg' in model_cfg.get('backbone', {}):
        model_cfg.backbone.init_cfg = None  # weights come from checkpoint
    model = MODELS.build(model_cfg)
    if expect is not None and not hasattr(model, expect[0]):
        raise ValueError(f'{getattr(cfg, "filename", config)}: the model '
                         f'is {type(model).__name__}, not {expect[1]}')
    if checkpoint is not None:
        if trust_checkpoint:
            from ..compat import trust_checkpoint as trust
            trust(checkpoint)
        try:  # weights_only=True (seenet_mm.compat.checkpoints)
            load_checkpoint(model, checkpoint, map_location='cpu',
                            strict=True, logger='silent')
        except (RuntimeError, KeyError) as err:
            first = str(err).strip().splitlines()[:3]
            raise ValueError(
                f'checkpoint {checkpoint} does not fit the model of '
                f'{getattr(cfg, "filename", config)}: ' + ' '.join(first)
            ) from None
    model.cfg = cfg
    return model


def init_attention_model(config, checkpoint: Optional[str],
                         device: str = 'cpu',
                         trust_checkpoint: bool = False) -> torch.nn.Module:
    """:func:`init_model` for a SeeNet: a config of another model is one
    error naming it."""
    model = init_model(config, checkpoint, trust_checkpoint,
                       expect=('forward_branches', 'a SeeNet'))
    return model.to(device).eval()
