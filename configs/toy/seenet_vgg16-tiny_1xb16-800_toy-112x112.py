# SeeNet on the synthetic toy set: tiny widths and inputs, trained from
# scratch (no ImageNet weights) in about 2 minutes on 2 CPU cores.
_base_ = ['../seenet/seenet_vgg16_1xb16-25k_voc12aug-224x224.py']

data_root = 'data/toy/VOCdevkit/VOC2012'
crop_size = 112  # toy images are 128-192 x 96-160; validation at 112, but the
# attention maps are made at model.test_cfg.sizes = (224, ) (inherited)
model = dict(
    backbone=dict(
        arch='seenet-os8',  # 112 / 8 = 14: the paper's 14x14 maps at 224/16
        widen_factor=0.25,  # 16..128 channels
        norm_cfg=dict(type='BN'),  # from scratch: BN (not in the paper)
        init_cfg=None),
    in_channels=128,
    branch=dict(
        channels=64,
        norm_cfg=dict(type='BN'),  # from scratch (not in the paper)
        init_cfg=dict(type='Kaiming', layer='Conv2d')))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=crop_size,
         crop_ratio_range=(0.4, 1.0)),  # small images: keep objects
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackImageLabelInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    dict(type='LoadAnnotations'),  # masks for the seed metric only
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    batch_size=16,
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

max_iters = 800
# from scratch with BN: one learning rate for all layers (the 10x/20x of
# new layers is meant for branches on top of ImageNet weights)
optim_wrapper = dict(
    optimizer=dict(lr=0.01), constructor='DefaultOptimWrapperConstructor',
    paramwise_cfg=dict(_delete_=True))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[650], gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=400)
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(interval=400))
custom_hooks = [
    dict(type='ErasingScheduleHook', start_iter=100),  # S_A learns first
    dict(type='ZoneStatisticsHook', interval=50),
    dict(type='AttentionSnapshotHook', interval=200),
]
randomness = dict(seed=0)
