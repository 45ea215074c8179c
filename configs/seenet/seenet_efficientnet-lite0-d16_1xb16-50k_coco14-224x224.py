# SeeNet on EfficientNet-Lite0 (output stride 16), MS COCO 2014 image labels
# (80 classes): seenet_vgg16_1xb16-50k_coco14-224x224.py's data and schedule
# with the backbone of seenet_efficientnet-lite0-d16_1xb16-25k_voc12aug-224x224.py.
_base_ = ['./seenet_vgg16_1xb16-50k_coco14-224x224.py']
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
        output_stride=16,
        init_cfg=dict(type='Pretrained',
                      checkpoint='pretrain/efficientnet-lite0_timm.pth',
                      prefix='backbone.')),
    in_channels=320)
