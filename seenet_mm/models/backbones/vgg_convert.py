"""Convert torchvision's ImageNet VGG16 checkpoint into seenet_mm keys.

torchvision stores the 13 convolutions as ``features.{0,2,5,...,28}`` and the
classifier as ``classifier.0`` (fc6, Linear 25088->4096),
``classifier.3`` (fc7, Linear 4096->4096) and ``classifier.6`` (fc8).
DeepLab-LargeFOV turns fc6/fc7 into convolutions and *decimates* them
(Chen et al., ICLR 2015, Sec. 3.1): fc6 becomes a 3x3 conv (every 3rd tap of
the 7x7 window: 0, 3, 6) with every 4th filter (4096 -> 1024), fc7 a 1x1
conv keeping every 4th filter and input channel.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Mapping

import torch

from .vgg import conv_names

# torchvision ``features`` index of each convolution, in order.
TORCHVISION_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)


def _require(state: Mapping[str, torch.Tensor], key: str) -> torch.Tensor:
    if key not in state:
        raise KeyError(f'not a torchvision VGG16 checkpoint: key {key!r} is '
                       f'missing (found e.g. {sorted(state)[:4]})')
    return state[key]


def convert_torchvision_vgg16(state: Mapping[str, torch.Tensor],
                              with_fc: bool = True,
                              fc_channels: int = 1024,
                              backbone_prefix: str = 'backbone.',
                              head_prefix: str = 'decode_head.'
                              ) -> Dict[str, torch.Tensor]:
    """Map torchvision VGG16 weights to :class:`VGG16` (+ LargeFOV fc6/fc7).

    Args:
        state: torchvision ``vgg16`` state dict (``features.N.*``,
            ``classifier.{0,3}.*``), or a checkpoint holding it under
            ``state_dict``.
        with_fc: also write DeepLab's conv fc6 (3x3) and fc7 (1x1) as
            ``{head_prefix}fc6.conv.*`` / ``fc7.conv.*``.
        fc_channels: filters kept in fc6/fc7 (4096 must be a multiple).
        backbone_prefix: prefix of the backbone keys.
        head_prefix: prefix of fc6/fc7 keys.

    Returns:
        dict: converted tensors (the ImageNet fc8 is dropped).
    """
    if 'state_dict' in state and isinstance(state['state_dict'], Mapping):
        state = state['state_dict']
    out: Dict[str, torch.Tensor] = OrderedDict()
    for name, idx in zip(conv_names(), TORCHVISION_CONV_INDICES):
        for kind in ('weight', 'bias'):
            out[f'{backbone_prefix}{name}.conv.{kind}'] = _require(
                state, f'features.{idx}.{kind}').clone()
    if not with_fc:
        return out
    w6 = _require(state, 'classifier.0.weight')
    b6 = _require(state, 'classifier.0.bias')
    w7 = _require(state, 'classifier.3.weight')
    b7 = _require(state, 'classifier.3.bias')
    n_fc = w6.shape[0]
    if w6.shape[1] % 49 != 0 or n_fc % fc_channels != 0:
        raise ValueError(
            f'cannot decimate fc6 {tuple(w6.shape)} to {fc_channels} '
            'channels of a 3x3 conv: expected [4096, 512*7*7] and a '
            'divisor of 4096')
    step = n_fc // fc_channels
    w6 = w6.reshape(n_fc, w6.shape[1] // 49, 7, 7)
    out[f'{head_prefix}fc6.conv.weight'] = w6[::step, :, ::3, ::3].clone()
    out[f'{head_prefix}fc6.conv.bias'] = b6[::step].clone()
    out[f'{head_prefix}fc7.conv.weight'] = (
        w7[::step, ::step, None, None].clone())
    out[f'{head_prefix}fc7.conv.bias'] = b7[::step].clone()
    return out
