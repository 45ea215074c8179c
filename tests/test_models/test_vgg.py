"""VGG16 backbone: strides, shapes, layer settings, errors."""
import pytest
import torch

from seenet_mm.models import VGG16


def torchvision_vgg16_conv_params() -> int:
    """Conv parameters of VGG16, counted from the paper's table D."""
    cfg = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    total, c_in = 0, 3
    for c_out in cfg:
        total += 3 * 3 * c_in * c_out + c_out
        c_in = c_out
    return total


@pytest.mark.parametrize('arch,size,expected_hw,stride', [
    ('seenet-os16', 224, 14, 16),
    ('seenet-os8', 224, 28, 8),
    ('largefov', 321, 41, 8),  # DeepLab: 321 -> 41 with ceil-mode 3x3 pools
    ('classic', 224, 7, 32),
])
def test_output_stride(arch, size, expected_hw, stride):
    net = VGG16(arch=arch, widen_factor=0.0625)
    out = net(torch.randn(1, 3, size, size))
    assert len(out) == 1
    assert out[0].shape == (1, 32, expected_hw, expected_hw)
    assert net.output_stride == stride


def test_full_width_matches_vgg16_parameter_count():
    net = VGG16()
    n = sum(p.numel() for p in net.parameters())
    assert n == torchvision_vgg16_conv_params() == 14714688
    assert net.conv5_3.conv.weight.shape == (512, 512, 3, 3)


def test_largefov_layer_settings():
    net = VGG16(arch='largefov', widen_factor=0.125)
    for name in ('conv5_1', 'conv5_2', 'conv5_3'):
        assert net.get_submodule(name).conv.dilation == (2, 2)
        assert net.get_submodule(name).conv.padding == (2, 2)
    assert net.conv4_3.conv.dilation == (1, 1)
    for i, stride in zip(range(1, 6), (2, 2, 2, 1, 1)):
        pool = net.get_submodule(f'pool{i}')
        assert (pool.kernel_size, pool.stride, pool.padding) == (3, stride, 1)


def test_largefov_pool5a_average_after_pool5():
    """DeepLab-LargeFOV train.prototxt: pool5 (MAX 3/1 pad 1), then pool5a
    (AVE 3x3, stride 1, pad 1), then fc6."""
    net = VGG16(arch='largefov', widen_factor=0.0625)
    assert net.with_pool5a
    assert net.stages[4][-2:] == ['pool5', 'pool5a']
    pool = net.pool5a
    assert isinstance(pool, torch.nn.AvgPool2d)
    assert (pool.kernel_size, pool.stride, pool.padding) == (3, 1, 1)
    # Caffe's AVE pooling divides by 9 at the borders too (padding counted)
    corner = pool(torch.ones(1, 1, 5, 5))[0, 0, 0, 0]
    assert corner == pytest.approx(4 / 9)
    x = torch.randn(1, 3, 321, 321)
    out = net(x)[0]
    assert out.shape == (1, 32, 41, 41)  # 321 -> 41: pool5a keeps the size
    without = VGG16(arch='largefov', widen_factor=0.0625, pool5a=False)
    assert not hasattr(without, 'pool5a')
    # no weights: the same checkpoint keys, and the output is pool5a of
    # the output without it
    assert list(without.state_dict()) == list(net.state_dict())
    without.load_state_dict(net.state_dict())
    assert torch.allclose(out, pool(without(x)[0]), atol=1e-6)
    for arch in ('seenet-os16', 'seenet-os8', 'classic'):
        assert not hasattr(VGG16(arch=arch, widen_factor=0.0625), 'pool5a')
    assert VGG16(arch='classic', widen_factor=0.0625, pool5a=True).with_pool5a


def test_seenet_os16_has_no_pool5_and_multiple_outputs():
    net = VGG16(arch='seenet-os16', widen_factor=0.125, out_indices=(3, 4))
    assert not hasattr(net, 'pool5')
    c4, c5 = net(torch.randn(2, 3, 64, 64))
    assert c4.shape == (2, 64, 4, 4) and c5.shape == (2, 64, 4, 4)


def test_frozen_stages_and_norm():
    net = VGG16(widen_factor=0.125, frozen_stages=1,
                norm_cfg=dict(type='BN'))
    net.train()
    assert not net.conv2_2.conv.weight.requires_grad
    assert net.conv3_1.conv.weight.requires_grad
    assert not net.conv1_1.bn.training and net.conv3_1.bn.training


@pytest.mark.parametrize('kwargs,err', [
    (dict(arch='vgg19'), KeyError),
    (dict(pools=[None] * 4), ValueError),
    (dict(widen_factor=0), ValueError),
    (dict(out_indices=(5, )), ValueError),
    (dict(pools=[(2, 2, 0, 1)] * 5), ValueError),
])
def test_bad_arguments(kwargs, err):
    with pytest.raises(err, match='VGG16'):
        VGG16(**kwargs)


def test_registered_in_mmseg():
    from mmseg.registry import MODELS
    net = MODELS.build(dict(type='VGG16', widen_factor=0.125))
    assert isinstance(net, VGG16)
