# SeeNet on real photographs: CamVid road scenes cut into views with
# image-level labels of six object-like classes
# (tools/dataset_converters/camvid.py; docs/data.md), from EfficientNet-Lite0
# ImageNet weights (seenet_efficientnet-lite0.py). The main job's
# `--preset camvid` runs it. SeeNet itself is the paper's (δh 0.7, δl 0.05,
# three branches, sign flip); the schedule is ours, short enough for
# 2 CPU cores.
_base_ = [
    '../_base_/models/seenet_efficientnet-lite0.py',
    '../_base_/datasets/folder_image_labels.py',
    '../_base_/schedules/seenet_25k.py',
    '../_base_/default_runtime.py',
]
num_classes = 6  # car, pedestrian, bicyclist, sign, pole, fence
# Branches of 256 channels (paper: 512): at 512 the three branches cost
# about 3x EfficientNet-Lite0 itself in a training step on 2 CPU cores.
model = dict(mode='seenet', num_classes=num_classes,
             branch=dict(channels=256))
# A view's label holds for the whole view only: a random resized crop down
# to 8 % of it (the paper's ResNet augmentation) would often cut away the
# one small pole or sign it names. The whole view, resized as at test time,
# and a flip.
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(
    num_workers=2, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(num_workers=2, persistent_workers=False)
test_dataloader = val_dataloader
# Schedule (ours): 400 iterations of 16 views (about 4.6 epochs of the
# 1,401 labelled train views), the paper's lr 1e-3 (branches 10x) divided
# by 10 after 80 %; the erasing starts once S_A has learnt for 100
# iterations.
max_iters = 400
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[320], gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=200))
custom_hooks = [
    dict(type='ErasingScheduleHook', start_iter=100),
    dict(type='ZoneStatisticsHook', interval=50),
]
randomness = dict(seed=0)
amp = 'auto'  # bfloat16 where the CPU has it natively
