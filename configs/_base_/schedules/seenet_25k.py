# Paper: SGD, lr 1e-3 divided by 10 after 15,000 iterations, 25,000 iterations,
# weight decay 2e-4. Caffe's per-layer multipliers, as in the authors' deploy
# net and their group's prototxts (PengtaoJiang/OAA: lr_mult 1 / 2, decay_mult
# 1 / 0 for weights / biases): new layers (the branches) at 10x lr and their
# biases at 20x without decay; the backbone's biases at 2x without decay.
# Everything at the base lr and decay:
# constructor='DefaultOptimWrapperConstructor', paramwise_cfg=dict(
# _delete_=True), as seenet_toy_800.py (the from-scratch toy SeeNet) does.
# Loops and hooks: iter_based.py.
_base_ = ['./iter_based.py']

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=2e-4),
    constructor='NewLayersLrConstructor',
    paramwise_cfg=dict(
        new_modules=('branch_a', 'branch_b', 'branch_c'),
        new_lr_mult=10.0,
        new_bias_lr_mult=20.0,
        new_bias_decay_mult=0.0,
        bias_lr_mult=2.0,
        bias_decay_mult=0.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[15000], gamma=0.1)
]
train_cfg = dict(max_iters=25000, val_interval=5000)
default_hooks = dict(checkpoint=dict(interval=5000))
custom_hooks = [
    dict(type='ErasingScheduleHook', start_iter=0),  # erase from the start
    dict(type='ZoneStatisticsHook', interval=50),
    dict(type='AttentionSnapshotHook', interval=2500),
]
