"""PSA's affinity branch (Ahn & Kwak, CVPR 2018, Sec. 3.2): an embedding
whose L1 distances give the inter-pixel affinities
(:func:`seenet_mm.random_walk.feature_affinities`).

Each backbone tap goes through a 1x1 convolution, a group norm and an ELU
and is resized to the affinity grid; the concatenation goes through a 1x1
convolution and an ELU. PSA taps VGG16's conv4, conv5 and fc6 (64, 128 and
256 channels, group norms of 8, 16 and 32 groups, then 448 channels); any
backbone's taps work, at any strides.
"""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .taps import taps_on_grid


@MODELS.register_module()
class FeatureAffinityHead(BaseModule):
    """Args:
        in_channels: channels of each backbone tap, in the backbone's order.
        channels: channels each tap is reduced to (PSA: 64, 128, 256).
        groups: groups of each tap's group norm (PSA: 8, 16, 32).
        out_channels: the embedding's channels (None: their sum, PSA's
            448).
    """

    def __init__(self, in_channels: Sequence[int],
                 channels: Sequence[int] = (64, 128, 256),
                 groups: Sequence[int] = (8, 16, 32),
                 out_channels: Optional[int] = None,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not (len(in_channels) == len(channels) == len(groups)) or \
                not in_channels:
            raise ValueError(f'FeatureAffinityHead: in_channels '
                             f'{tuple(in_channels)}, channels '
                             f'{tuple(channels)} and groups {tuple(groups)} '
                             'need one entry per tap')
        for c, g in zip(channels, groups):
            if c % g:
                raise ValueError(f'FeatureAffinityHead: channels {c} is not '
                                 f'a multiple of its groups {g}')
        self.in_channels = tuple(int(c) for c in in_channels)
        self.taps = nn.ModuleList(
            nn.Sequential(nn.Conv2d(i, c, 1, bias=False),
                          nn.GroupNorm(g, c), nn.ELU())
            for i, c, g in zip(self.in_channels, channels, groups))
        total = int(sum(channels))
        self.out_channels = total if out_channels is None else out_channels
        self.fuse = nn.Conv2d(total, self.out_channels, 1, bias=False)
        for tap in self.taps:  # PSA's initialisation
            nn.init.kaiming_normal_(tap[0].weight)
        nn.init.xavier_uniform_(self.fuse.weight, gain=4)

    def forward(self, feats: Sequence[torch.Tensor],
                size: Tuple[int, int]) -> torch.Tensor:
        """``[N, out_channels, *size]`` embeddings from the taps."""
        maps = taps_on_grid('FeatureAffinityHead', self.taps, feats, size,
                            self.in_channels)
        return F.elu(self.fuse(torch.cat(maps, 1)))
