# DeepLab-LargeFOV on the toy set's proxy labels: VGG16 x0.25 + BN, from
# scratch, 96x96 crops; about 2 minutes on 2 CPU cores.
_base_ = ['../deeplab_largefov/deeplab-largefov_vgg16_1xb20-6k_voc12aug-321x321.py']

data_root = 'data/toy/VOCdevkit/VOC2012'
# proxy labels of tools/make_proxy_labels.py (absolute, or relative to
# data_root); tools/pipeline.py passes its own folder
proxy_label_dir = 'SegmentationClassProxy'
crop_size = (96, 96)
norm_cfg = dict(type='BN', requires_grad=True)
# The toy keeps its former recipe where the VGG configs changed to DeepLab's
# (none of these changes is neutral for training from scratch, each would
# move the toy figures): no pool5a, channel dropout, and in optim_wrapper
# biases at the base lr with weight decay.
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(widen_factor=0.25, norm_cfg=norm_cfg, init_cfg=None,
                  pool5a=False),  # DeepLab: 3x3 average pool after pool5
    decode_head=dict(
        in_channels=128,
        channels=128,
        # toy feature maps are ~20x15: dilation 12 would see mostly padding
        dilation=4,
        dropout_layer='Dropout2d',  # DeepLab: element-wise 'Dropout'
        init_cfg=[dict(type='Normal', std=0.01,
                       override=dict(name='conv_seg'))]))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
img_ratios = [0.75, 1.0, 1.25]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(type='TestTimeAug',
         transforms=[
             [dict(type='Resize', scale_factor=r, keep_ratio=True)
              for r in img_ratios],
             [dict(type='RandomFlip', prob=0., direction='horizontal'),
              dict(type='RandomFlip', prob=1., direction='horizontal')],
             [dict(type='LoadAnnotations')],
             [dict(type='PackSegInputs')]
         ])
]
train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    dataset=dict(data_root=data_root,
                 data_prefix=dict(seg_map_path=proxy_label_dir),
                 pipeline=train_pipeline))
val_dataloader = dict(num_workers=1, dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
# from scratch with BN: one lr and weight decay for all layers but fc8
# (10x/20x kept; DeepLab: every bias at 2x without decay, fc8's bias too)
optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(bias_lr_mult=1.0, bias_decay_mult=1.0,
                       new_bias_decay_mult=1.0))
max_iters = 1600
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[1100, 1450],
         gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=800)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(interval=800))
randomness = dict(seed=0)
