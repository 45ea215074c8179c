"""An attention branch of SeeNet (S_A, S_B, S_C; Sec. 3.3).

3 x (3x3 conv, ReLU) -> 1x1 conv to M class score maps -> global average
pooling -> M logits. The score maps before pooling are the attention maps.
"""
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS

# ``dropout_layer`` names: element-wise (Caffe's DROPOUT) or whole channels
DROPOUT_LAYERS = {'Dropout': nn.Dropout, 'Dropout2d': nn.Dropout2d}


@MODELS.register_module()
class AttentionBranch(BaseModule):
    """Args:
        in_channels: channels of the shared feature map F.
        num_classes: M (20 for VOC).
        channels: width of the 3x3 convolutions (paper: 512).
        num_convs: number of 3x3 conv + ReLU layers (paper: 3).
        dropout: dropout before the score layer (the authors' deploy net
            uses 0.5 in S_A; the paper does not mention it: default 0).
        dropout_layer: ``'Dropout'`` (default: element-wise, as the Caffe
            DROPOUT layer of the deploy net) or ``'Dropout2d'`` (whole
            channels); no effect while ``dropout`` is 0.
        norm_cfg: optional norm after each conv (not in the paper).
    """

    def __init__(self, in_channels: int, num_classes: int = 20,
                 channels: int = 512, num_convs: int = 3,
                 dropout: float = 0.0, dropout_layer: str = 'Dropout',
                 norm_cfg: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, list]] = dict(
                     type='Normal', std=0.01, layer='Conv2d')) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_convs < 0:
            raise ValueError(f'num_convs must be >= 0, got {num_convs}')
        if dropout_layer not in DROPOUT_LAYERS:
            raise ValueError(f'AttentionBranch: dropout_layer must be one of '
                             f'{sorted(DROPOUT_LAYERS)}, got '
                             f'{dropout_layer!r}')
        layers = []
        for i in range(num_convs):
            layers.append(ConvModule(in_channels if i == 0 else channels,
                                     channels, 3, padding=1,
                                     norm_cfg=norm_cfg,
                                     act_cfg=dict(type='ReLU')))
        self.convs = nn.Sequential(*layers)
        self.dropout = DROPOUT_LAYERS[dropout_layer](dropout) \
            if dropout > 0 else nn.Identity()
        self.score = nn.Conv2d(channels if num_convs else in_channels,
                               num_classes, 1)
        self.num_classes = num_classes

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Args: x ``[N, C, h, w]``. Returns logits ``[N, M]`` and score maps
        ``[N, M, h, w]``."""
        maps = self.score(self.dropout(self.convs(x)))
        return maps.mean(dim=(2, 3)), maps
