"""DeepLab-LargeFOV head (Chen et al., ICLR 2015, "DeepLab v1").

fc6: 3x3 conv, dilation 12, 1024 channels, ReLU, dropout 0.5 (drop6);
fc7: 1x1 conv, 1024 channels, ReLU, dropout 0.5 (drop7);
fc8: ``conv_seg`` (1x1 conv to the classes).
fc6/fc7 take the decimated ImageNet fc weights of ``tools/convert_vgg16.py``
(keys ``decode_head.fc6.conv.*``, ``decode_head.fc7.conv.*``).

drop6/drop7 are Caffe ``DROPOUT`` layers (DeepLab-LargeFOV train.prototxt,
``dropout_ratio: 0.5``), which zero single activations: ``nn.Dropout``, not
the whole-channel ``nn.Dropout2d`` that mmseg's ``BaseDecodeHead`` uses
before ``conv_seg``.
"""
from typing import List, Sequence, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS

# ``dropout_layer`` names: element-wise (Caffe's DROPOUT) or whole channels
DROPOUT_LAYERS = {'Dropout': nn.Dropout, 'Dropout2d': nn.Dropout2d}


@MODELS.register_module()
class LargeFOVHead(BaseDecodeHead):
    """Args:
        dilation: dilation of fc6 (LargeFOV: 12).
        fc6_kernel: kernel of fc6 (LargeFOV: 3).
        channels: width of fc6/fc7 (LargeFOV: 1024).
        dropout_ratio: dropout after fc6 and after fc7 (0.5).
        dropout_layer: ``'Dropout'`` (default: element-wise, as Caffe's
            drop6/drop7) or ``'Dropout2d'`` (whole channels, mmseg's
            ``BaseDecodeHead`` default); used after fc6 and after fc7.
        Other arguments as ``BaseDecodeHead``.
    """

    def __init__(self, dilation: int = 12, fc6_kernel: int = 3,
                 dropout_layer: str = 'Dropout', **kwargs) -> None:
        kwargs.setdefault('channels', 1024)
        kwargs.setdefault('dropout_ratio', 0.5)
        super().__init__(**kwargs)
        if dilation < 1:
            raise ValueError(f'LargeFOVHead: dilation must be >= 1, got '
                             f'{dilation}')
        if dropout_layer not in DROPOUT_LAYERS:
            raise ValueError(f'LargeFOVHead: dropout_layer must be one of '
                             f'{sorted(DROPOUT_LAYERS)}, got '
                             f'{dropout_layer!r}')
        self.dropout_layer = dropout_layer
        dropout = DROPOUT_LAYERS[dropout_layer]
        pad = dilation * (fc6_kernel - 1) // 2
        self.fc6 = ConvModule(self.in_channels, self.channels, fc6_kernel,
                              padding=pad, dilation=dilation,
                              conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
                              act_cfg=self.act_cfg)
        self.fc6_dropout = dropout(self.dropout_ratio) \
            if self.dropout_ratio > 0 else nn.Identity()
        self.fc7 = ConvModule(self.channels, self.channels, 1,
                              conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
                              act_cfg=self.act_cfg)
        # drop7 is BaseDecodeHead's own dropout (self.dropout, applied by
        # cls_seg); it is built as Dropout2d there
        if self.dropout_ratio > 0:
            self.dropout = dropout(self.dropout_ratio)

    def forward(self, inputs: Union[List[torch.Tensor], Sequence]
                ) -> torch.Tensor:
        x = self._transform_inputs(inputs)
        x = self.fc7(self.fc6_dropout(self.fc6(x)))
        return self.cls_seg(x)
