# SeeNet, ResNet-50 at output stride 16, PASCAL VOC 2012 train_aug image
# labels. SeeNet itself as the paper
# (seenet_vgg16_1xb16-25k_voc12aug-224x224.py: modes, δh/δl, branches, three
# BCE losses, erasing from the first iteration); the backbone, the data and the
# schedule as IRN trains its ResNet-50 CAM network (Ahn et al., CVPR 2019,
# github.com/jiwoon-ahn/irn: run_sample.py, step/train_cam.py,
# misc/torchutils.py), the recipe ResNet-50 CAMs are usually compared on (ReCAM
# and AdvCAM reuse it). Not run on real VOC in this project.
_base_ = [
    '../_base_/models/seenet_r50.py',
    '../_base_/datasets/voc_image_labels.py',
    '../_base_/schedules/seenet_25k.py',
    '../_base_/default_runtime.py',
]
crop_size = 512  # IRN: --cam_crop_size 512
model = dict(
    mode='seenet',
    # attention maps as the paper (Sec. 3.4: one square size plus the
    # flipped view, M_A and M_B fused by max), at the training size. IRN
    # sums its CAMs over scales (1.0, 0.5, 1.5, 2.0) of the original image:
    # tools/infer_attention.py --sizes 256 512 768 1024 --scale-fuse mean
    # comes close.
    test_cfg=dict(sizes=(crop_size, )))

# IRN's VOC12ClassificationDataset(resize_long=(320, 640), hor_flip=True,
# crop_size=512, crop_method='random'); no photometric jitter
train_pipeline = [
    dict(type='LoadImageFromFile'),
    # long side uniform in [320, 640], aspect kept
    dict(type='RandomResize', scale=(640, 640), ratio_range=(0.5, 1.0),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomCrop', crop_size=(crop_size, crop_size)),
    # IRN pads smaller crops with 0 after normalisation, i.e. with the
    # ImageNet mean (BGR here: images are BGR until the data preprocessor)
    dict(type='Pad', size=(crop_size, crop_size),
         pad_val=dict(img=(103.53, 116.28, 123.675))),
    dict(type='PackImageLabelInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(crop_size, crop_size), keep_ratio=False),
    dict(type='LoadAnnotations'),  # masks for the seed metric only
    dict(type='PackImageLabelInputs')
]
# IRN: batch 16 (per process here)
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# IRN: 5 epochs of train_aug, (10582 // 16) * 5 = 3305 iterations (it drops
# the last incomplete batch), poly decay with power 0.9 to 0.
iters_per_epoch = 661
max_iters = 5 * iters_per_epoch
# IRN's PolyOptimizer: lr 0.1 for the backbone and 10x (1.0) for the new
# layers (here the three branches, weights and biases alike), weight decay
# 1e-4 on every parameter. It passes weight_decay as SGD's third positional
# argument, which is momentum: IRN (and the works reusing its optimizer)
# train with momentum 1e-4, reproduced here. No Caffe bias multipliers (IRN
# has none; ResNet's convolutions have no biases anyway).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(
        new_modules=('branch_a', 'branch_b', 'branch_c'),
        new_lr_mult=10.0,
        new_bias_lr_mult=10.0,
        new_bias_decay_mult=1.0,
        bias_lr_mult=1.0,
        bias_decay_mult=1.0))
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, begin=0, end=max_iters,
         by_epoch=False)
]
# IRN validates after each epoch
train_cfg = dict(max_iters=max_iters, val_interval=iters_per_epoch)
default_hooks = dict(checkpoint=dict(interval=iters_per_epoch))
custom_hooks = [
    dict(type='ErasingScheduleHook', start_iter=0),  # erase from the start
    dict(type='ZoneStatisticsHook', interval=50),
    dict(type='AttentionSnapshotHook', interval=iters_per_epoch),
]
