"""torchvision VGG16 -> seenet_mm keys, incl. DeepLab's fc6/fc7 decimation."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from seenet_mm.models import VGG16, convert_torchvision_vgg16

from conftest import run_tool

CFG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M',
       512, 512, 512, 'M']


def torchvision_layout_vgg16() -> nn.Module:
    """A VGG16 built the way torchvision lays it out (features.N,
    classifier.0/3/6), written here without torchvision."""
    layers, c_in = [], 3
    for v in CFG:
        if v == 'M':
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(c_in, v, 3, padding=1), nn.ReLU(True)]
            c_in = v
    net = nn.Module()
    net.features = nn.Sequential(*layers)
    net.classifier = nn.Sequential(
        nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(),
        nn.Linear(4096, 1000))
    return net


@pytest.fixture(scope='module')
def tv_state():
    torch.manual_seed(0)
    return torchvision_layout_vgg16().state_dict()


def test_converted_backbone_reproduces_torchvision_features(tv_state):
    tv = torchvision_layout_vgg16()
    tv.load_state_dict(tv_state)
    converted = convert_torchvision_vgg16(tv_state)
    ours = VGG16(arch='classic')
    missing, unexpected = ours.load_state_dict(
        {k[len('backbone.'):]: v for k, v in converted.items()
         if k.startswith('backbone.')}, strict=True)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(ours(x)[0], tv.features(x), atol=1e-5)


def test_fc6_fc7_decimation_elementwise(tv_state):
    conv = convert_torchvision_vgg16(tv_state)
    w6 = conv['decode_head.fc6.conv.weight']
    w7 = conv['decode_head.fc7.conv.weight']
    assert w6.shape == (1024, 512, 3, 3) and w7.shape == (1024, 1024, 1, 1)
    lin6 = tv_state['classifier.0.weight']
    lin7 = tv_state['classifier.3.weight']
    g = torch.Generator().manual_seed(1)
    for _ in range(50):  # flat index of (c, y, x) in a 512x7x7 input
        o, c = (int(torch.randint(1024, (1, ), generator=g)),
                int(torch.randint(512, (1, ), generator=g)))
        i, j = (int(torch.randint(3, (1, ), generator=g)),
                int(torch.randint(3, (1, ), generator=g)))
        assert w6[o, c, i, j] == lin6[4 * o, c * 49 + 3 * i * 7 + 3 * j]
        k = int(torch.randint(1024, (1, ), generator=g))
        assert w7[o, k, 0, 0] == lin7[4 * o, 4 * k]
    assert torch.equal(conv['decode_head.fc6.conv.bias'],
                       tv_state['classifier.0.bias'][::4])


def test_fc6_as_dilated_conv_equals_linear_on_sampled_window(tv_state):
    """A 3x3 conv with dilation 3 over a 7x7 map at its centre equals the
    Linear fc6 restricted to taps 0,3,6 and every 4th unit."""
    conv = convert_torchvision_vgg16(tv_state)
    x = torch.randn(1, 512, 7, 7)
    mask = torch.zeros(7, 7)
    mask[::3, ::3] = 1
    y_conv = F.conv2d(x, conv['decode_head.fc6.conv.weight'],
                      conv['decode_head.fc6.conv.bias'], dilation=3)
    y_lin = F.linear((x * mask).flatten(1), tv_state['classifier.0.weight'],
                     tv_state['classifier.0.bias'])[:, ::4]
    assert torch.allclose(y_conv.flatten(1), y_lin, atol=1e-4)


def test_cli_and_init_cfg_load(tmp_path, tv_state):
    src, dst = str(tmp_path / 'vgg16_tv.pth'), str(tmp_path / 'out.pth')
    torch.save(tv_state, src)
    proc = run_tool(['tools/convert_vgg16.py', src, dst])
    assert 'wrote 30 tensors' in proc.stdout
    assert not osp.exists(dst + '.tmp')
    from mmseg.registry import MODELS
    net = MODELS.build(dict(
        type='VGG16', arch='largefov',
        init_cfg=dict(type='Pretrained', checkpoint=dst, prefix='backbone.')))
    net.init_weights()
    assert torch.equal(net.conv3_2.conv.weight, tv_state['features.12.weight'])
    assert torch.equal(net.conv5_3.conv.bias, tv_state['features.28.bias'])


def test_wrong_checkpoint_is_named(tmp_path):
    with pytest.raises(KeyError, match='features.0.weight'):
        convert_torchvision_vgg16({'conv1.weight': torch.zeros(1)})
    src = str(tmp_path / 'resnet.pth')
    torch.save({'conv1.weight': torch.zeros(1)}, src)
    proc = run_tool(['tools/convert_vgg16.py', src, str(tmp_path / 'o.pth')],
                    check=False)
    assert proc.returncode != 0 and 'not a torchvision VGG16' in proc.stderr
    assert not osp.exists(tmp_path / 'o.pth')
