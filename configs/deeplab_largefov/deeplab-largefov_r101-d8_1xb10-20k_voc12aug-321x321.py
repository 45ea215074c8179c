# DeepLab-LargeFOV head on a dilated ResNet-101 (mmseg's ResNetV1c, output
# stride 8). Recipe of DeepLab v2 (Chen et al., TPAMI 2018, Sec. 4.1):
# batch 10, crop 321, lr 2.5e-4 (10x for the classifier), poly power 0.9,
# 20k iterations, momentum 0.9, weight decay 5e-4. BN frozen (statistics and
# affine parameters) as DeepLab v2 trains it (kazuto1011/deeplab-pytorch:
# "Freeze the batch norm pre-trained on COCO"). No fc weights to load on
# ResNet: fc6, fc7 and fc8 are new layers, 10x lr, biases 20x without decay
# (DeepLab v2's classifier: weights 10x, biases 20x with decay 0). No pool5a:
# DeepLab v2 has no pooling between res5 and the classifier. Paper (SeeNet
# Table 2, ResNet-101): 62.6 w/o CRF, 63.1 w/ CRF on val (the paper's
# figures).
_base_ = [
    '../_base_/datasets/voc_proxy_labels.py',
    '../_base_/schedules/deeplab_largefov_6k.py',
    '../_base_/default_runtime.py',
]
# frozen BN: affine parameters untrained (requires_grad=False keeps them out
# of the optimizer) and statistics fixed (norm_eval=True). In eval mode
# SyncBN is plain BN (no synchronisation), also on CPU and under gloo.
# Trained BN as mmseg: requires_grad=True and norm_eval=False.
norm_cfg = dict(type='SyncBN', requires_grad=False)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(321, 321))
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained='open-mmlab://resnet101_v1c',
    backbone=dict(
        type='ResNetV1c',
        depth=101,
        num_stages=4,
        out_indices=(3, ),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=norm_cfg,
        norm_eval=True,  # DeepLab v2: BN statistics of the pre-trained model
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='LargeFOVHead',
        in_channels=2048,
        in_index=0,
        channels=1024,
        dilation=12,
        dropout_ratio=0.5,
        dropout_layer='Dropout',  # element-wise, as DeepLab's drop6/drop7
        num_classes=21,
        norm_cfg=None,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
train_dataloader = dict(batch_size=10)
optim_wrapper = dict(
    optimizer=dict(lr=2.5e-4),
    # fc6/fc7 start from random weights here (no ImageNet fc on ResNet), so
    # they are new layers as fc8 is; ResNet's convolutions have no biases
    paramwise_cfg=dict(new_modules=('decode_head.fc6', 'decode_head.fc7',
                                    'decode_head.conv_seg')))
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, begin=0, end=20000,
         by_epoch=False)
]
train_cfg = dict(max_iters=20000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
