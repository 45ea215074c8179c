# DeepLab-LargeFOV head on a dilated ResNet-101 (mmseg's ResNetV1c, output
# stride 8). Recipe of DeepLab v2 (Chen et al., TPAMI 2018, Sec. 4.1):
# batch 10, crop 321, lr 2.5e-4 (10x for the classifier), poly power 0.9,
# 20k iterations, momentum 0.9, weight decay 5e-4. Paper (SeeNet Table 2,
# ResNet-101): 62.6 w/o CRF, 63.1 w/ CRF on val (the paper's figures).
_base_ = [
    '../_base_/datasets/voc_proxy_labels.py',
    '../_base_/schedules/deeplab_largefov_6k.py',
    '../_base_/default_runtime.py',
]
norm_cfg = dict(type='SyncBN', requires_grad=True)  # BN when not distributed
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
        norm_eval=False,
        style='pytorch',
        contract_dilation=True),
    decode_head=dict(
        type='LargeFOVHead',
        in_channels=2048,
        in_index=0,
        channels=1024,
        dilation=12,
        dropout_ratio=0.5,
        num_classes=21,
        norm_cfg=None,
        align_corners=False,
        loss_decode=dict(type='CrossEntropyLoss', use_sigmoid=False,
                         loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
train_dataloader = dict(batch_size=10)
optim_wrapper = dict(optimizer=dict(lr=2.5e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, begin=0, end=20000,
         by_epoch=False)
]
train_cfg = dict(max_iters=20000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
