"""The fake modules of seenet_mm.compat (.mmcv_ops and .fake_torchvision):
needed here, inert when the real package is present."""
import sys
import types

import pytest
import torch

from seenet_mm import compat


def test_fake_mmcv_ops_lets_every_mmseg_subpackage_import():
    import importlib
    for name in ('mmseg.models', 'mmseg.datasets', 'mmseg.evaluation',
                 'mmseg.engine', 'mmseg.apis', 'mmseg.visualization'):
        importlib.import_module(name)
    from mmseg.registry import MODELS
    assert MODELS.get('FCNHead') is not None
    assert MODELS.get('VGG16') is not None


@pytest.mark.skipif(not compat.is_fake_module('mmcv.ops'),
                    reason='full mmcv installed: the fake module is not used')
def test_fake_mmcv_ops_placeholders_raise_clear_error():
    import mmcv.ops
    with pytest.raises(ImportError, match='compiled ops of the full mmcv'):
        mmcv.ops.sigmoid_focal_loss(torch.zeros(1), torch.zeros(1))
    # mmcv's own pure-PyTorch point_sample is the real one
    from mmcv.ops import point_sample
    feats = torch.arange(16.).reshape(1, 1, 4, 4)
    # the centre of pixel (row 1, col 2) in [0, 1] coordinates
    pts = torch.tensor([[[2.5 / 4, 1.5 / 4]]])
    assert point_sample(feats, pts, align_corners=False).item() == \
        pytest.approx(6.0)


def test_fake_mmcv_ops_inert_when_real_ops_present(monkeypatch):
    real = types.ModuleType('mmcv.ops')
    monkeypatch.setitem(sys.modules, 'mmcv.ops', real)
    assert compat.install_fake_mmcv_ops() is False
    assert sys.modules['mmcv.ops'] is real


def test_fake_torchvision_lets_mmpretrain_models_build():
    from mmpretrain.registry import MODELS as PMODELS
    net = PMODELS.build(dict(type='ResNet', depth=18, out_indices=(3, )))
    out = net(torch.randn(1, 3, 64, 64))
    assert out[0].shape == (1, 512, 2, 2)


@pytest.mark.skipif(not compat.is_fake_module('torchvision'),
                    reason='real torchvision installed')
def test_fake_torchvision_raises_when_used():
    import torchvision
    with pytest.raises(ImportError, match='torchvision is not installed'):
        torchvision.transforms.functional.resized_crop(None, 0, 0, 1, 1, 1)


def test_fake_torchvision_inert_when_real_present(monkeypatch):
    real = types.ModuleType('torchvision')
    monkeypatch.setitem(sys.modules, 'torchvision', real)
    assert compat.install_fake_torchvision() is False
    assert sys.modules['torchvision'] is real
