# Toy version of the mixing config: mmseg's DeepLabV3+ (here ResNet-18 so
# that it trains in minutes on 2 CPU cores, from scratch) on the toy set's
# proxy labels.
_base_ = ['../deeplabv3plus/'
          'deeplabv3plus_r50-d8_4xb4-20k_voc12aug-512x512_proxy.py']
custom_imports = dict(imports=['seenet_mm'], allow_failed_imports=False)
data_root = 'data/toy/VOCdevkit/VOC2012'
proxy_label_dir = 'SegmentationClassProxy'
crop_size = (96, 96)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    pretrained=None,
    data_preprocessor=dict(size=crop_size),
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(in_channels=512, c1_in_channels=64, c1_channels=16,
                     channels=64, norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=256, channels=32, norm_cfg=norm_cfg))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8, num_workers=1,
    dataset=dict(data_root=data_root,
                 data_prefix=dict(seg_map_path=proxy_label_dir),
                 pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=1,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
optim_wrapper = dict(optimizer=dict(lr=0.01))
param_scheduler = [
    dict(type='PolyLR', eta_min=1e-4, power=0.9, begin=0, end=400,
         by_epoch=False)
]
train_cfg = dict(max_iters=400, val_interval=400)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(interval=400),
                     rng_state=dict(type='RNGStateHook'),
                     plain_checkpoint=dict(type='PlainCheckpointHook'))
randomness = dict(seed=0)
