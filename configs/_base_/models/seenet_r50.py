# SeeNet on mmpretrain's ResNet-50 (torchvision's layout: 7x7 stem, stride
# on the 3x3 conv), the backbone most WSSS work after 2018 computes its CAMs
# with (IRN, SEAM's baselines, ReCAM). Everything of SeeNet (modes, δh/δl,
# branches, losses, test_cfg) comes from the VGG16 model; only the backbone
# and F's width change. The paper trains VGG16 only: where it says nothing
# about a ResNet, this follows IRN (Ahn et al., CVPR 2019,
# github.com/jiwoon-ahn/irn, net/resnet50_cam.py), marked "IRN" below.
_base_ = ['./seenet_vgg16.py']
model = dict(
    backbone=dict(
        _delete_=True,  # no VGG16 key survives
        type='mmpretrain.ResNet',
        depth=50,
        out_indices=(3, ),  # F = layer4 (res5), 2048 channels
        # output stride 16: layer4 without its stride (IRN: strides
        # (2, 2, 2, 1) counting conv1); dilated by 2 so that layer4 keeps its
        # ImageNet receptive field (DeepLab's and mmseg's convention; IRN
        # leaves it at 1: dilations=(1, 1, 1, 1) is IRN's net exactly).
        # mmpretrain's strides start at layer1 (the stem always strides 4).
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        style='pytorch',
        # IRN: conv1/bn1 frozen and layer2's output detached, so neither the
        # stem nor layer1 nor layer2 is trained: frozen_stages=2.
        frozen_stages=2,
        # IRN: FixedBatchNorm, the ImageNet statistics throughout (and the
        # affine parameters of layer3/layer4 trained, as requires_grad=True
        # leaves them here)
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        # mmpretrain's ImageNet ResNet-50 (76.55 top-1; keys under
        # 'backbone.'). IRN loads torchvision's resnet50-19c8e357.pth
        # (76.13): checkpoint='torchvision://resnet50' with no prefix loads
        # it (same key names; needs torchvision).
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
            prefix='backbone.')),
    in_channels=2048)
