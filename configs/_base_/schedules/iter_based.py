# The loops and hooks of every iteration-based schedule here (seenet_25k.py,
# deeplab_largefov_6k.py, irn_3e.py, psa_8e.py and their toy versions): each
# of those sets its optimiser, lr policy, length and intervals.
train_cfg = dict(type='IterBasedTrainLoop')
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # exact resume: RNG states in checkpoints (dropout, random layers)
    rng_state=dict(type='RNGStateHook'),
    # checkpoints in plain types: they load with weights_only=True
    plain_checkpoint=dict(type='PlainCheckpointHook'))
