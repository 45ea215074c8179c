"""LargeFOV head, VGG16-LargeFOV stride, fc6/fc7 from converted weights."""
import pytest
import torch
from mmseg.registry import MODELS

from seenet_mm.models import LargeFOVHead
from seenet_mm.utils import register_all_modules

register_all_modules()


def test_head_shapes_and_layer_settings():
    head = LargeFOVHead(in_channels=32, channels=16, num_classes=21)
    assert head.fc6.conv.kernel_size == (3, 3)
    assert head.fc6.conv.dilation == (12, 12)
    assert head.fc6.conv.padding == (12, 12)
    assert head.fc6.conv.out_channels == 16
    assert head.fc7.conv.kernel_size == (1, 1)
    assert head.fc7.conv.out_channels == 16
    assert head.conv_seg.out_channels == 21
    assert head.fc6_dropout.p == 0.5 and head.dropout.p == 0.5
    # DeepLab's drop6/drop7 (Caffe DROPOUT) are element-wise
    assert type(head.fc6_dropout) is torch.nn.Dropout
    assert type(head.dropout) is torch.nn.Dropout
    out = head((torch.randn(2, 32, 41, 41), ))
    assert out.shape == (2, 21, 41, 41)
    assert LargeFOVHead(in_channels=8, num_classes=3).channels == 1024
    with pytest.raises(ValueError, match='dilation'):
        LargeFOVHead(in_channels=8, num_classes=3, dilation=0)
    with pytest.raises(ValueError, match='dropout_layer'):
        LargeFOVHead(in_channels=8, num_classes=3, dropout_layer='Drop')


def zeroed_channels(dropout: torch.nn.Module) -> tuple:
    """Apply ``dropout`` in train mode to ones ``[2, 64, 9, 9]``: the number
    of channels zeroed everywhere and of channels zeroed only in part."""
    dropout.train()
    torch.manual_seed(0)
    zero = dropout(torch.ones(2, 64, 9, 9)) == 0
    whole = zero.all(dim=(2, 3))
    part = zero.any(dim=(2, 3)) & ~whole
    return int(whole.sum()), int(part.sum())


def test_dropout_element_wise_by_default_channels_as_option():
    head = LargeFOVHead(in_channels=8, channels=64, num_classes=3)
    for layer in (head.fc6_dropout, head.dropout):
        whole, part = zeroed_channels(layer)
        # element-wise: zeros differ within each channel (a channel of 81
        # values all dropped at p=0.5 has probability 2^-81)
        assert part == 128 and whole == 0
    head = LargeFOVHead(in_channels=8, channels=64, num_classes=3,
                        dropout_layer='Dropout2d')
    for layer in (head.fc6_dropout, head.dropout):
        whole, part = zeroed_channels(layer)
        assert part == 0 and 30 < whole < 98  # whole channels, ~half
    # the dropout modules hold no weights: checkpoints do not change
    assert set(head.state_dict()) == set(
        LargeFOVHead(in_channels=8, channels=64,
                     num_classes=3).state_dict())
    head = LargeFOVHead(in_channels=8, num_classes=3, dropout_ratio=0)
    assert isinstance(head.fc6_dropout, torch.nn.Identity)
    assert head.dropout is None


def test_vgg16_largefov_output_stride_8_and_converted_fc(tmp_path):
    import sys
    import os.path as osp
    sys.path.insert(0, osp.dirname(__file__))
    from test_vgg_convert import torchvision_layout_vgg16
    from seenet_mm.models import convert_torchvision_vgg16
    torch.manual_seed(0)
    tv = torchvision_layout_vgg16().state_dict()
    ckpt = str(tmp_path / 'vgg16_seenet.pth')
    torch.save({'state_dict': convert_torchvision_vgg16(tv)}, ckpt)
    model = MODELS.build(dict(
        type='EncoderDecoder',
        data_preprocessor=dict(type='SegDataPreProcessor'),
        backbone=dict(type='VGG16', arch='largefov', init_cfg=dict(
            type='Pretrained', checkpoint=ckpt, prefix='backbone.')),
        decode_head=dict(type='LargeFOVHead', in_channels=512,
                         num_classes=21, init_cfg=[
                             dict(type='Normal', std=0.01,
                                  override=dict(name='conv_seg')),
                             dict(type='Pretrained', checkpoint=ckpt,
                                  prefix='decode_head.')]),
        test_cfg=dict(mode='whole')))
    model.init_weights()
    head = model.decode_head
    assert torch.equal(head.fc6.conv.weight,
                       tv['classifier.0.weight'].reshape(
                           4096, 512, 7, 7)[::4, :, ::3, ::3])
    assert torch.equal(head.fc7.conv.bias, tv['classifier.3.bias'][::4])
    assert torch.equal(model.backbone.conv1_1.conv.weight,
                       tv['features.0.weight'])
    assert head.conv_seg.weight.std() < 0.02  # Normal(0, 0.01), not loaded
    assert isinstance(model.backbone.pool5a, torch.nn.AvgPool2d)
    feats = model.backbone(torch.randn(1, 3, 321, 321))
    assert feats[-1].shape[-2:] == (41, 41)  # output stride 8, with pool5a
