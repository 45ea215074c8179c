# DeepLab-LargeFOV's head (fc6 3x3 dilation 12, fc7 1x1, 1024 channels,
# dropout 0.5; fc8 = conv_seg) on EfficientNet-Lite0 at output stride 8
# (timm's output_stride=8 dilates the last two stride-2 stages, as DeepLab
# dilates VGG16's conv5), the cheap ImageNet backbone of
# seenet_efficientnet-lite0.py. EfficientNet has no ImageNet fc6/fc7: they
# start from random weights as new layers, as on ResNet-101.
_base_ = ['./deeplab_largefov_vgg16.py']
pretrained = 'pretrain/efficientnet-lite0_timm.pth'
model = dict(
    data_preprocessor=dict(mean=[127.0, 127.0, 127.0],
                           std=[128.0, 128.0, 128.0]),
    backbone=dict(
        _delete_=True,
        type='mmpretrain.TIMMBackbone',
        model_name='tf_efficientnet_lite0',
        features_only=True,
        pretrained=False,
        out_indices=(4, ),
        output_stride=8,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='backbone.')),
    decode_head=dict(
        in_channels=320,
        init_cfg=dict(_delete_=True, type='Normal', std=0.01,
                      override=dict(name='conv_seg'))))
