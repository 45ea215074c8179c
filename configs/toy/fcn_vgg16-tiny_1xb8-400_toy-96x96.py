# Foundation check: our VGG16 backbone + mmseg's FCN head trained on the toy
# set's pixel ground truth (fully supervised; a smoke test of the stack,
# distributed training and resume, not part of the weakly-supervised method).
_base_ = ['../_base_/default_runtime.py', '../_base_/datasets/toy_voc_seg.py',
          '../_base_/schedules/iter_based.py']

crop_size = (96, 96)
norm_cfg = dict(type='BN', requires_grad=True)  # SyncBN refuses CPU modules
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='VGG16',
        arch='seenet-os8',
        widen_factor=0.25,  # 16..128 channels: trains in minutes on 2 cores
        norm_cfg=norm_cfg),  # from scratch, BN makes the tiny net train fast
    decode_head=dict(
        type='FCNHead',
        in_channels=128,
        channels=64,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=21,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

max_iters = 400
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=5e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=200)
default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=100),
                     visualization=dict(type='SegVisualizationHook'))
randomness = dict(seed=0)
