# SeeNet's schedule (seenet_25k.py) for the toy SeeNet trained from scratch
# (seenet_vgg16-tiny.py): 800 iterations, about 2 minutes on 2 CPU cores,
# erasing from iteration 100.
_base_ = ['./seenet_25k.py']

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
