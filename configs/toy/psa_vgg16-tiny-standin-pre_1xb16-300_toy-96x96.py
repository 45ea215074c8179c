# PSA's affinity network (Ahn & Kwak, CVPR 2018; AffinityNet with
# affinity='feature') on the toy set, in place of IRN's boundary map: an
# embedding of the backbone's last three taps (PSA: VGG16's conv4, conv5,
# fc6; 64 + 128 + 256 -> 448 channels, here a quarter of the widths), the
# affinity of two cells exp(-mean |f_i - f_j|), the backbone fine-tuned (PSA)
# from the toy stand-in. PSA's grid: stride 8, links of radius 5 in the loss
# and the walk, beta 8, 256 steps (logt 8); on the toy images' ~20 x 17
# cells at stride 8 the same reach takes 32 steps (as the toy IRN config).
# The walk starts from the same cold sources and scores the background as
# the toy IRN config (tools/refine_labels.py). Everything else (data, 300
# iterations of 96x96 crops, batch 16) as
# irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py.
_base_ = ['./irn_vgg16-tiny-standin-pre_1xb16-300_toy-96x96.py']

model = dict(
    backbone=dict(out_indices=(2, 3, 4)),  # strides 8, 8, 8
    head=dict(_delete_=True, type='FeatureAffinityHead',
              in_channels=(64, 128, 128), channels=(16, 32, 64),
              groups=(4, 8, 16)),
    affinity='feature',
    stride=8,
    radius=5,
    frozen=False,
    test_cfg=dict(flip=True, radius=5, beta=8, steps=32))
# PSA: lr 0.1 for a VGG16 of Caffe's scale, the new layers at 10x; the
# toy stand-in (BN) keeps its features at a base lr of 0.01
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
    constructor='NewLayersLrConstructor',
    paramwise_cfg=dict(new_modules=('head', ), new_lr_mult=10.0,
                       new_bias_lr_mult=10.0, new_bias_decay_mult=1.0,
                       bias_lr_mult=1.0, bias_decay_mult=1.0))
