# IRN's affinity network (Ahn, Cho & Kwak, CVPR 2019; its recipe,
# github.com/jiwoon-ahn/irn, step/train_irn.py): the boundary branch on the
# frozen ImageNet ResNet-50, trained on the confident seeds of VOC 2012
# train_aug (tools/make_proxy_labels.py --method threshold --crf), crops of
# 512, random scaling 0.5-1.5, batch 32, 3 epochs, lr 0.1, poly, weight
# decay 1e-4. Taps: layer1..layer4 of mmpretrain's ResNet (IRN also taps
# the stem's 64 channels, which mmpretrain does not return). IRN's
# displacement branch (instance segmentation) is not part of this.
_base_ = ['../_base_/datasets/voc_proxy_labels.py',
          '../_base_/schedules/deeplab_largefov_6k.py',  # its hooks
          '../_base_/default_runtime.py']

# confident seeds (absolute, or relative to data_root); tools/pipeline.py
# passes its own folder
proxy_label_dir = 'SegmentationClassSeeds'
crop_size = (512, 512)
model = dict(
    type='AffinityNet',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=crop_size),
    backbone=dict(
        type='mmpretrain.ResNet',
        depth=50,
        out_indices=(0, 1, 2, 3),  # strides 4, 8, 16, 16
        strides=(1, 2, 2, 1),  # IRN: strides (2, 2, 2, 1) counting conv1
        style='pytorch',
        norm_cfg=dict(type='BN', requires_grad=False),
        norm_eval=True,
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth',
            prefix='backbone.')),
    head=dict(type='BoundaryHead', in_channels=(256, 512, 1024, 2048),
              channels=32),
    radius=10,
    stride=4,
    frozen=True,
    # IRN's walk: radius 5, beta 10, 256 steps (exp_times 8); the walk
    # starts from the attention above each image's confident-background
    # threshold and the background score is found per image (sources and
    # bg_score: docs/method.md, deviations)
    test_cfg=dict(flip=True, radius=5, beta=10, steps=256))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomResize', scale=(512, 512), ratio_range=(0.5, 1.5),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=32,
    dataset=dict(data_prefix=dict(seg_map_path=proxy_label_dir),
                 pipeline=train_pipeline))
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
# 3 epochs of the 10,582 train_aug images at batch 32
max_iters = 993
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters,
                 val_interval=max_iters + 1)
default_hooks = dict(checkpoint=dict(interval=max_iters))
