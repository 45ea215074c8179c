# PSA's affinity network (Ahn & Kwak, "Learning Pixel-level Semantic
# Affinity with Image-level Supervision", CVPR 2018; github.com/jiwoon-ahn/
# psa, network/vgg16_aff.py, train_aff.py, infer_aff.py) as AffinityNet with
# affinity='feature': an embedding of VGG16's taps whose L1 distances give
# the affinities, the backbone fine-tuned, trained on the confident seeds of
# VOC 2012 train_aug (tools/make_proxy_labels.py --method threshold --crf),
# crops of 448, batch 8, 8 epochs, lr 0.1 poly (new layers 10x), weight
# decay 5e-4; links of radius 5 at stride 8; the walk: radius 5, beta 8,
# 256 steps (logt 8). PSA taps conv4, conv5 and fc6 (512, 512, 1024
# channels); this VGG16 backbone ends at conv5, so the taps are conv3,
# conv4 and conv5 (256, 512, 512), each reduced to PSA's 64, 128 and 256.
# tools/refine_labels.py walks from the cold attention and scores the
# background per image, as with IRN (PSA: (1 - max CAM)^alpha, alpha 4-24).
_base_ = ['../irn/irn_vgg16_1xb32-3e_voc12aug-512x512.py']

crop_size = (448, 448)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(arch='seenet-os8', out_indices=(2, 3, 4)),
    head=dict(_delete_=True, type='FeatureAffinityHead',
              in_channels=(256, 512, 512), channels=(64, 128, 256),
              groups=(8, 16, 32)),
    affinity='feature',
    stride=8,
    radius=5,
    frozen=False,
    test_cfg=dict(flip=True, radius=5, beta=8, steps=256))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # PSA: the long side resized at random to 448-768
    dict(type='RandomResize', scale=(608, 608),
         ratio_range=(448 / 608, 768 / 608), keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),  # PSA: colour jitter
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    constructor='NewLayersLrConstructor',
    paramwise_cfg=dict(new_modules=('head', ), new_lr_mult=10.0,
                       new_bias_lr_mult=10.0, new_bias_decay_mult=1.0))
# 8 epochs of the 10,582 train_aug images at batch 8
max_iters = 10582
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(checkpoint=dict(interval=max_iters))
