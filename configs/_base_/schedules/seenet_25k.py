# Paper: SGD, lr 1e-3 divided by 10 after 15,000 iterations, 25,000 iterations,
# weight decay 2e-4. Caffe's per-layer multipliers, as in the authors' deploy
# net and their group's prototxts (PengtaoJiang/OAA: lr_mult 1 / 2, decay_mult
# 1 / 0 for weights / biases): new layers (the branches) at 10x lr and their
# biases at 20x without decay; the backbone's biases at 2x without decay.
# Everything at the base lr and decay:
# constructor='DefaultOptimWrapperConstructor', paramwise_cfg=dict(
# _delete_=True), as configs/toy/seenet_vgg16-tiny_1xb16-800_toy-112x112.py
# does.
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
train_cfg = dict(type='IterBasedTrainLoop', max_iters=25000,
                 val_interval=5000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000,
                    max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # exact resume: RNG states in checkpoints (dropout, random layers)
    rng_state=dict(type='RNGStateHook'),
    # checkpoints in plain types: they load with weights_only=True
    plain_checkpoint=dict(type='PlainCheckpointHook'))
custom_hooks = [
    dict(type='ErasingScheduleHook', start_iter=0),  # erase from the start
    dict(type='ZoneStatisticsHook', interval=50),
    dict(type='AttentionSnapshotHook', interval=2500),
]
