"""VGG16 (Simonyan & Zisserman, 2015) as a dense-prediction backbone.

One class covers the three variants the project needs, through the pool and
dilation settings:

================  ==========================  ===============  ======
variant           pools 1..5 (kernel, stride)  conv5 dilation   stride
================  ==========================  ===============  ======
SeeNet OS16       2/2 x4, no pool5             1                16
SeeNet OS8        2/2 x3, pool4 3/1, no pool5  2                8
DeepLab-LargeFOV  3/2 x3, 3/1 x2 (pad 1),      2                8
                  then pool5a (avg 3/1, pad 1)
================  ==========================  ===============  ======

``pool5a`` is the 3x3 average pooling (stride 1, pad 1) that follows the max
pool5 in DeepLab-LargeFOV's train.prototxt (``pool5a``, ``pool: AVE``), just
before fc6. It has no weights, so checkpoints are the same with or without it.

The fully connected layers are not part of the backbone: DeepLab's fc6/fc7
live in the LargeFOV head, and ``tools/convert_vgg16.py`` converts
torchvision's Linear fc6/fc7 into its convolutions.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS

# Convolutions per stage and their output channels, VGG16 ("D").
VGG16_STAGES = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))

PoolSpec = Optional[Union[int, Sequence[int]]]

# Ready-made settings (``VGG16(arch='seenet-os16')``).
ARCH_SETTINGS: Dict[str, dict] = {
    'seenet-os16': dict(
        pools=((2, 2, 0), (2, 2, 0), (2, 2, 0), (2, 2, 0), None),
        dilations=(1, 1, 1, 1, 1)),
    'seenet-os8': dict(
        pools=((2, 2, 0), (2, 2, 0), (2, 2, 0), (3, 1, 1), None),
        dilations=(1, 1, 1, 1, 2)),
    'largefov': dict(
        pools=((3, 2, 1), (3, 2, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1)),
        dilations=(1, 1, 1, 1, 2), pool5a=True),
    'classic': dict(
        pools=((2, 2, 0), ) * 5, dilations=(1, 1, 1, 1, 1)),
}


def conv_names() -> List[str]:
    """Caffe-style names of the 13 convolutions: conv1_1 ... conv5_3."""
    return [f'conv{s + 1}_{i + 1}'
            for s, (n, _) in enumerate(VGG16_STAGES) for i in range(n)]


@MODELS.register_module()
class VGG16(BaseModule):
    """VGG16 conv1_1..conv5_3 with configurable pools and dilations.

    Args:
        arch: one of ``ARCH_SETTINGS`` (``seenet-os16``, ``seenet-os8``,
            ``largefov``, ``classic``); ``pools``/``dilations`` override it.
        pools: per stage, ``None`` (no pool after the stage) or
            ``(kernel, stride, padding)`` of a max pool (ceil mode, as Caffe).
        dilations: dilation of the convolutions of each of the 5 stages.
        pool5a: a 3x3 average pool (stride 1, pad 1) at the end of stage 5,
            after pool5 (DeepLab-LargeFOV's ``pool5a``); ``None``: as
            ``arch`` says (``largefov``: yes, the others: no).
        widen_factor: channel multiplier (e.g. 0.125 for tiny test models);
            channels are rounded and kept >= 4.
        out_indices: stages whose outputs (after their pool) are returned.
        norm_cfg: optional norm layer after each conv (the original has
            none; BN helps tiny models trained from scratch on the toy set).
        frozen_stages: stages 0..k whose parameters are frozen (-1: none).
        init_cfg: mmengine init config, e.g.
            ``dict(type='Pretrained', checkpoint=..., prefix='backbone.')``.
    """

    def __init__(self,
                 arch: str = 'seenet-os16',
                 pools: Optional[Sequence[PoolSpec]] = None,
                 dilations: Optional[Sequence[int]] = None,
                 pool5a: Optional[bool] = None,
                 widen_factor: float = 1.0,
                 out_indices: Sequence[int] = (4, ),
                 norm_cfg: Optional[dict] = None,
                 frozen_stages: int = -1,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if arch not in ARCH_SETTINGS:
            raise KeyError(f'VGG16: unknown arch {arch!r}; choose one of '
                           f'{sorted(ARCH_SETTINGS)}')
        setting = ARCH_SETTINGS[arch]
        pools = setting['pools'] if pools is None else pools
        dilations = setting['dilations'] if dilations is None else dilations
        pool5a = setting.get('pool5a', False) if pool5a is None else pool5a
        if len(pools) != 5 or len(dilations) != 5:
            raise ValueError('VGG16: pools and dilations need 5 entries '
                             f'(one per stage), got {len(pools)} and '
                             f'{len(dilations)}')
        if widen_factor <= 0:
            raise ValueError(f'VGG16: widen_factor must be > 0, got '
                             f'{widen_factor}')
        for idx in out_indices:
            if not 0 <= idx < 5:
                raise ValueError(f'VGG16: out_indices must be in 0..4, got '
                                 f'{tuple(out_indices)}')
        self.arch = arch
        self.out_indices = tuple(out_indices)
        self.frozen_stages = frozen_stages
        self.dilations = tuple(dilations)
        self.with_pool5a = bool(pool5a)
        self.pool_specs = tuple(self._pool_spec(p) for p in pools)
        self.widen_factor = widen_factor
        self.stage_channels = tuple(
            max(4, int(round(c * widen_factor))) for _, c in VGG16_STAGES)

        self.stages = []  # names of the modules of each stage
        in_ch = 3
        names = iter(conv_names())
        for s, (n_conv, _) in enumerate(VGG16_STAGES):
            out_ch = self.stage_channels[s]
            stage = []
            for _ in range(n_conv):
                name = next(names)
                dil = self.dilations[s]
                self.add_module(
                    name,
                    ConvModule(in_ch, out_ch, 3, padding=dil, dilation=dil,
                               norm_cfg=norm_cfg,
                               act_cfg=dict(type='ReLU', inplace=True)))
                stage.append(name)
                in_ch = out_ch
            spec = self.pool_specs[s]
            if spec is not None:
                k, st, pad = spec
                self.add_module(
                    f'pool{s + 1}',
                    nn.MaxPool2d(k, st, padding=pad, ceil_mode=True))
                stage.append(f'pool{s + 1}')
            if s == 4 and self.with_pool5a:
                # Caffe's AVE pooling divides by the full 3x3 window,
                # padding included: count_include_pad=True
                self.add_module('pool5a', nn.AvgPool2d(
                    3, 1, padding=1, count_include_pad=True))
                stage.append('pool5a')
            self.stages.append(stage)
        self.out_channels = self.stage_channels[self.out_indices[-1]]

    @staticmethod
    def _pool_spec(pool: PoolSpec) -> Optional[Tuple[int, int, int]]:
        if pool is None:
            return None
        if isinstance(pool, int):
            return (pool, pool, 0)
        pool = tuple(int(v) for v in pool)
        if len(pool) == 2:
            return pool + (0, )
        if len(pool) != 3:
            raise ValueError(
                f'VGG16: a pool is None, k or (kernel, stride[, pad]), '
                f'got {pool}')
        return pool

    @property
    def output_stride(self) -> int:
        """Total stride of the last returned stage."""
        stride = 1
        for spec in self.pool_specs[:self.out_indices[-1] + 1]:
            if spec is not None:
                stride *= spec[1]
        return stride

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Args: x ``[N, 3, H, W]``. Returns the outputs of ``out_indices``,
        each ``[N, C_s, H / stride_s, W / stride_s]``."""
        outs = []
        for s, stage in enumerate(self.stages):
            for name in stage:
                x = getattr(self, name)(x)
            if s in self.out_indices:
                outs.append(x)
            if s == self.out_indices[-1]:
                break
        return tuple(outs)

    def _freeze_stages(self) -> None:
        for s in range(self.frozen_stages + 1):
            for name in self.stages[s]:
                module = getattr(self, name)
                module.eval()
                for p in module.parameters():
                    p.requires_grad = False

    def train(self, mode: bool = True) -> 'VGG16':
        super().train(mode)
        self._freeze_stages()
        return self
