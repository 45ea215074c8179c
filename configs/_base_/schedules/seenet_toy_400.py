# The toy SeeNet's schedule from the toy stand-in for ImageNet weights
# (seenet_vgg16-tiny-standin-pre.py): as the paper on pretrained weights,
# the backbone trains at the base lr and the three branches (new layers) at
# 10x. The pretrained start needs half the from-scratch schedule: 400
# iterations, erasing from iteration 50 (800 gave no better seeds or proxy
# labels on the toy set, docs/results_toy.md). Everything else as the
# from-scratch seenet_toy_800.py.
_base_ = ['./seenet_toy_800.py']

optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=2e-3, momentum=0.9, weight_decay=2e-4),
    constructor='NewLayersLrConstructor',
    # one lr and decay for weights and biases, as the from-scratch toy
    paramwise_cfg=dict(new_modules=('branch_a', 'branch_b', 'branch_c'),
                       new_lr_mult=10.0, new_bias_lr_mult=10.0,
                       new_bias_decay_mult=1.0, bias_lr_mult=1.0,
                       bias_decay_mult=1.0))
max_iters = 400
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[320], gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=200)
default_hooks = dict(checkpoint=dict(interval=200))
custom_hooks = [
    dict(type='ErasingScheduleHook', start_iter=50),  # S_A learns first
    dict(type='ZoneStatisticsHook', interval=50),
    dict(type='AttentionSnapshotHook', interval=200),
]
# bfloat16 autocast where the CPU computes it natively (AVX512-BF16 or AMX),
# float32 elsewhere: the toy main job's figures were measured both ways and
# agree within their spread over seeds (docs/results_toy.md); --no-amp or
# amp=False runs float32 anywhere
amp = 'auto'
