"""The affinity network of IRN (Ahn, Cho & Kwak, CVPR 2019): a boundary map
learnt from the confident parts of the seeds, whose paths give the
inter-pixel affinities of the random walk (:mod:`seenet_mm.random_walk`).

Training (IRN, Sec. 3.2): the seed labels (0 background, classes, 255
where no seed is confident) are sampled at the boundary map's stride-4
grid; every link between cells closer than ``radius`` (IRN: 10) is
background-positive, foreground-positive or negative
(:func:`~seenet_mm.random_walk.pair_labels`); its affinity is one minus the
highest boundary on its path (:func:`~seenet_mm.random_walk.link_affinities`),
and the loss is IRN's

    L = L_bg / 4 + L_fg / 4 + L_neg / 2,
    L_bg = mean over background-positive links of -log(a + 1e-5),
    L_fg = the same over foreground-positive links,
    L_neg = mean over negative links of -log(1 + 1e-5 - a).

As in IRN the backbone is frozen by default (its features come from the
pretrained weights and only the boundary head learns); ``frozen=False``
fine-tunes it, as PSA does.

``affinity='feature'`` is PSA's affinity network instead (Ahn & Kwak, CVPR
2018): a head embeds each cell (``FeatureAffinityHead``), the affinity of a
link is ``exp(-mean |f_i - f_j|)``
(:func:`~seenet_mm.random_walk.feature_affinities`), the loss is the same
three terms on those affinities, and the walk's sources are the maps as they
are (no ``1 - B``).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple, Union

import torch
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmseg.registry import MODELS

from ...random_walk import (BETA, RADIUS, STEPS, TRAIN_RADIUS,
                            feature_affinities, link_affinities, pair_labels)

EPS = 1e-5  # IRN's
#: inference settings (``test_cfg``): the boundary map's mirror averaging,
#: and the random walk of ``tools/refine_labels.py`` (IRN's radius, beta
#: and steps; ``sources``, ``bg_thr`` and ``bg_score`` as
#: :func:`seenet_mm.apis.refinement.refine_image` describes)
TEST_CFG = dict(flip=True, radius=RADIUS, beta=BETA, steps=STEPS,
                sources='cold', bg_thr='auto', bg_score='auto')
#: ``boundary``: IRN's boundary map; ``feature``: PSA's embedding
AFFINITIES = ('boundary', 'feature')


def grid_size(size: Tuple[int, int], stride: int) -> Tuple[int, int]:
    """The cells of a stride-``stride`` grid over an image of ``size``
    (IRN's strided size: rounded up)."""
    return (-(-int(size[0]) // stride), -(-int(size[1]) // stride))


def sample_labels(labels: torch.Tensor, size: Tuple[int, int]
                  ) -> torch.Tensor:
    """``labels [..., H, W]`` at the centres of a ``size`` grid: nearest
    neighbour as PIL resizes (IRN rescales its seed labels by 1/4 so)."""
    h, w = labels.shape[-2:]
    ys = ((torch.arange(size[0], device=labels.device) + 0.5) * h
          / size[0]).long().clamp(max=h - 1)
    xs = ((torch.arange(size[1], device=labels.device) + 0.5) * w
          / size[1]).long().clamp(max=w - 1)
    return labels[..., ys[:, None], xs[None, :]]


def affinity_loss(boundary: torch.Tensor, labels: torch.Tensor,
                  radius: int = TRAIN_RADIUS) -> Dict[str, torch.Tensor]:
    """IRN's affinity loss of a boundary map against seed labels.

    Args:
        boundary: ``[N, h, w]`` in [0, 1].
        labels: integer ``[N, h, w]`` at the same grid (255 ignored).

    Returns:
        ``loss_bg`` (L_bg / 4), ``loss_fg`` (L_fg / 4), ``loss_neg``
        (L_neg / 2), each 0 where no link of its kind exists.
    """
    return link_loss(link_affinities(boundary.float(), radius), labels,
                     radius)


def link_loss(aff: torch.Tensor, labels: torch.Tensor,
              radius: int = TRAIN_RADIUS) -> Dict[str, torch.Tensor]:
    """:func:`affinity_loss` of any link affinities ``[K, N, h, w]`` in
    [0, 1] (IRN's from a boundary map, PSA's from an embedding; PSA's loss
    has the same three terms and weights)."""
    background, foreground, negative = pair_labels(labels, radius)
    pos = -torch.log(aff + EPS)
    neg = -torch.log(1 + EPS - aff)

    def mean(loss, mask):
        mask = mask.to(loss.dtype)
        return (loss * mask).sum() / (mask.sum() + EPS)

    return dict(loss_bg=mean(pos, background) / 4,
                loss_fg=mean(pos, foreground) / 4,
                loss_neg=mean(neg, negative) / 2)


@MODELS.register_module()
class AffinityNet(BaseModel):
    """Args:
        backbone: any registered backbone returning a tuple of taps (e.g.
            ``VGG16`` with ``out_indices=(0, 1, 2, 3, 4)`` or
            ``mmpretrain.ResNet``); its pretrained weights come through its
            ``init_cfg``.
        head: a ``BoundaryHead`` config; ``in_channels`` are the taps'.
        radius: links of the loss reach cells closer than this (IRN: 10).
        stride: the boundary map's stride (IRN: 4).
        frozen: keep the backbone's weights and norm statistics (IRN).
        affinity: ``boundary`` (IRN; ``head`` a ``BoundaryHead``) or
            ``feature`` (PSA; ``head`` a ``FeatureAffinityHead``).
        test_cfg: ``flip`` (IRN: average the logits of the image and its
            mirror) and the walk's settings (:data:`TEST_CFG`, whose values
            fill in what is not given).
    """

    def __init__(self, backbone: dict, head: dict,
                 radius: int = TRAIN_RADIUS, stride: int = 4,
                 frozen: bool = True, affinity: str = 'boundary',
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if radius < 2:
            raise ValueError(f'AffinityNet: radius must be at least 2, got '
                             f'{radius}')
        if stride < 1:
            raise ValueError(f'AffinityNet: stride must be >= 1, got '
                             f'{stride}')
        if affinity not in AFFINITIES:
            raise ValueError(f'AffinityNet: affinity must be one of '
                             f'{AFFINITIES}, got {affinity!r}')
        self.affinity = affinity
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(head)
        self.radius = radius
        self.stride = stride
        self.frozen = frozen
        unknown = set(test_cfg or {}) - set(TEST_CFG)
        if unknown:
            raise ValueError(f'AffinityNet: unknown test_cfg keys '
                             f'{sorted(unknown)}; known: {sorted(TEST_CFG)}')
        self.test_cfg = dict(TEST_CFG, **(test_cfg or {}))
        if frozen:
            for param in self.backbone.parameters():
                param.requires_grad_(False)

    def train(self, mode: bool = True) -> 'AffinityNet':
        super().train(mode)
        if self.frozen:
            self.backbone.eval()  # norm statistics stay the pretrained ones
        return self

    def boundary_logits(self, inputs: torch.Tensor) -> torch.Tensor:
        """The head's output on the stride grid of ``inputs``: ``[N, 1, h,
        w]`` boundary logits (IRN), or ``[N, D, h, w]`` embeddings (PSA,
        ``affinity='feature'``)."""
        size = grid_size(inputs.shape[-2:], self.stride)
        if self.frozen:
            with torch.no_grad():
                feats = self.backbone(inputs)
        else:
            feats = self.backbone(inputs)
        return self.head(feats, size)

    def _flip_averaged(self, inputs: torch.Tensor) -> torch.Tensor:
        out = self.boundary_logits(inputs).float()
        if self.test_cfg['flip']:
            mirrored = self.boundary_logits(inputs.flip(-1)).float()
            out = (out + mirrored.flip(-1)) / 2
        return out

    def boundary_map(self, inputs: torch.Tensor) -> torch.Tensor:
        """``[N, h, w]`` boundary in [0, 1]; with ``test_cfg.flip`` the
        logits of the image and its mirror are averaged first (IRN). With
        ``affinity='feature'``: one minus the mean affinity of each cell to
        the cells within the walk's radius (a picture of PSA's edges)."""
        if self.affinity == 'boundary':
            return torch.sigmoid(self._flip_averaged(inputs)[:, 0])
        return self.walk_links(inputs, self.test_cfg['radius'])[2]

    def walk_links(self, inputs: torch.Tensor, radius: int
                   ) -> Tuple[torch.Tensor, Optional[torch.Tensor],
                              torch.Tensor]:
        """What the random walk needs, for links of ``radius``: the link
        affinities ``[K, N, h, w]``, the sources' weight ``[N, h, w]``
        (IRN: ``1 - B``; None for PSA) and a ``[N, h, w]`` edge picture
        (:meth:`boundary_map`). With ``test_cfg.flip`` the head's outputs
        of the image and its mirror are averaged."""
        out = self._flip_averaged(inputs)
        if self.affinity == 'boundary':
            boundary = torch.sigmoid(out[:, 0])
            return (link_affinities(boundary, radius), 1 - boundary,
                    boundary)
        links = feature_affinities(out, radius)
        inside = feature_affinities(torch.zeros_like(out[:, :1]), radius)
        edges = 1 - links.sum(0) / inside.sum(0).clamp(min=1)
        return links, None, edges

    def forward(self, inputs: torch.Tensor, data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.boundary_logits(inputs)
        raise RuntimeError(f'AffinityNet: invalid mode "{mode}"')

    def loss(self, inputs: torch.Tensor, data_samples: list
             ) -> Dict[str, torch.Tensor]:
        if not data_samples or 'gt_sem_seg' not in data_samples[0]:
            raise ValueError('AffinityNet: training needs seed labels '
                             '(gt_sem_seg: LoadAnnotations on the seed '
                             'label folder)')
        out = self.boundary_logits(inputs)
        labels = torch.stack([s.gt_sem_seg.data[0] for s in data_samples])
        labels = sample_labels(labels.long(), out.shape[-2:])
        if self.affinity == 'feature':
            return link_loss(feature_affinities(out.float(), self.radius),
                             labels, self.radius)
        return affinity_loss(torch.sigmoid(out[:, 0].float()), labels,
                             self.radius)

    def predict(self, inputs: torch.Tensor,
                data_samples: Optional[list] = None) -> List:
        """Each sample gains ``pred_boundary`` (``PixelData``, the
        stride-grid :meth:`boundary_map`)."""
        boundary = self.boundary_map(inputs)
        if data_samples is None:
            from mmseg.structures import SegDataSample
            data_samples = [SegDataSample() for _ in range(len(inputs))]
        for sample, b in zip(data_samples, boundary):
            sample.pred_boundary = PixelData(data=b[None])
        return data_samples


__all__ = ['AffinityNet', 'TEST_CFG', 'AFFINITIES', 'affinity_loss',
           'link_loss', 'grid_size', 'sample_labels']
