"""The backbone taps of the affinity heads, each reduced and brought to
the affinity grid (IRN's boundary branch, PSA's embedding)."""
from typing import Callable, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def taps_on_grid(head: str, taps: nn.ModuleList,
                 feats: Sequence[torch.Tensor], size: Tuple[int, int],
                 in_channels: Sequence[int],
                 act: Optional[Callable] = None) -> List[torch.Tensor]:
    """Each of ``feats`` through its module of ``taps``, resized
    bilinearly to ``size`` when it is not there, then ``act`` (IRN's ReLU
    comes after the resize). ``head`` names the caller in the error for a
    number of taps that does not match ``in_channels``."""
    if len(feats) != len(taps):
        raise ValueError(f'{head}: {len(feats)} backbone outputs for '
                         f'in_channels {tuple(in_channels)}; set the '
                         'backbone\'s out_indices to match')
    maps = []
    for tap, feat in zip(taps, feats):
        x = tap(feat)
        if x.shape[-2:] != tuple(size):
            x = F.interpolate(x, size=size, mode='bilinear',
                              align_corners=False)
        maps.append(act(x) if act is not None else x)
    return maps
