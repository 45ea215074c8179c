# DeepLab-LargeFOV, VGG16 (Chen et al., ICLR 2015; its train.prototxt):
# pools 3x3, pool4/pool5 stride 1, conv5 dilation 2 (output stride 8), pool5a
# (3x3 average, stride 1); fc6 3x3 dilation 12 and fc7 1x1, 1024 channels,
# element-wise dropout 0.5 (drop6, drop7); fc8 = conv_seg.
pretrained = 'pretrain/vgg16_seenet.pth'  # tools/convert_vgg16.py output
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],  # torchvision ImageNet weights (RGB)
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(321, 321))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='VGG16',
        arch='largefov',
        pool5a=True,  # train.prototxt: 3x3 AVE pooling after pool5
        init_cfg=dict(type='Pretrained', checkpoint=pretrained,
                      prefix='backbone.')),
    decode_head=dict(
        type='LargeFOVHead',
        in_channels=512,
        channels=1024,
        dilation=12,
        dropout_ratio=0.5,
        dropout_layer='Dropout',  # Caffe DROPOUT: element-wise, not channels
        num_classes=21,
        norm_cfg=None,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0),
        # fc6/fc7: decimated ImageNet fc weights; fc8: Gaussian, std 0.01
        init_cfg=[
            dict(type='Normal', std=0.01, override=dict(name='conv_seg')),
            dict(type='Pretrained', checkpoint=pretrained,
                 prefix='decode_head.'),
        ]),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
