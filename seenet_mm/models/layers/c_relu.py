"""Conditionally reversed ReLU (C-ReLU), SeeNet Sec. 3.2, Eqn. (2).

``C-ReLU(x; T) = max(x, 0) * T`` with a mask ``T`` broadcast over channels:
T = 1 keeps a unit, 0 erases it, -1 flips its sign (SeeNet's ternary mask
``T_A``); a binary mask selects a zone (strategy II's background mask).
"""
import torch
import torch.nn as nn
from mmseg.registry import MODELS


def c_relu(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """``max(x, 0) * mask``.

    Args:
        x: features ``[N, C, H, W]``.
        mask: ``[N, 1, H, W]`` (broadcast over channels), typically values
            in {-1, 0, 1}. It is detached: no gradient reaches it.

    Returns:
        torch.Tensor: ``[N, C, H, W]``.
    """
    if mask.dim() != 4 or mask.shape[1] != 1 or mask.shape[0] != x.shape[0] \
            or mask.shape[2:] != x.shape[2:]:
        raise ValueError(f'c_relu: mask must be [N, 1, H, W] matching x '
                         f'{tuple(x.shape)}, got {tuple(mask.shape)}')
    return torch.relu(x) * mask.detach().to(x.dtype)


@MODELS.register_module()
class CReLU(nn.Module):
    """Module form of :func:`c_relu`: ``forward(x, mask)``."""

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return c_relu(x, mask)
