"""IRN's boundary branch (Ahn, Cho & Kwak, CVPR 2019, Sec. 3.1).

Each backbone tap goes through a 1x1 convolution and a group norm, is
resized to the stride-4 grid, goes through a ReLU, and the concatenation is mapped to one
logit per cell by a 1x1 convolution: the boundary map is its sigmoid. IRN
taps the five stages of ResNet-50 with 32 channels each; any backbone's taps
work, at any strides (resized bilinearly, down as well as up).
"""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .taps import taps_on_grid


@MODELS.register_module()
class BoundaryHead(BaseModule):
    """Args:
        in_channels: channels of each backbone tap, in the backbone's order.
        channels: channels each tap is reduced to (IRN: 32).
        num_groups: groups of each tap's group norm (IRN: 4).
    """

    def __init__(self, in_channels: Sequence[int], channels: int = 32,
                 num_groups: int = 4,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not in_channels:
            raise ValueError('BoundaryHead: in_channels is empty')
        if channels % num_groups:
            raise ValueError(f'BoundaryHead: channels {channels} is not a '
                             f'multiple of num_groups {num_groups}')
        self.in_channels = tuple(int(c) for c in in_channels)
        self.taps = nn.ModuleList(
            nn.Sequential(nn.Conv2d(c, channels, 1, bias=False),
                          nn.GroupNorm(num_groups, channels))
            for c in self.in_channels)
        self.fuse = nn.Conv2d(channels * len(self.in_channels), 1, 1)

    def forward(self, feats: Sequence[torch.Tensor],
                size: Tuple[int, int]) -> torch.Tensor:
        """``[N, 1, *size]`` boundary logits from the taps ``feats``."""
        # IRN's ReLU after the resize
        maps = taps_on_grid('BoundaryHead', self.taps, feats, size,
                            self.in_channels, act=F.relu)
        return self.fuse(torch.cat(maps, 1))
