# DeepLab v1's schedule (deeplab_largefov_6k.py) for the toy
# DeepLab-LargeFOV (deeplab_largefov_vgg16-tiny.py, from scratch): 1600
# iterations, about 2 minutes on 2 CPU cores.
_base_ = ['./deeplab_largefov_6k.py']

# from scratch with BN: one lr and weight decay for all layers but fc8
# (10x/20x kept; DeepLab: every bias at 2x without decay, fc8's bias too)
optim_wrapper = dict(
    optimizer=dict(lr=0.01),
    paramwise_cfg=dict(bias_lr_mult=1.0, bias_decay_mult=1.0,
                       new_bias_decay_mult=1.0))
max_iters = 1600
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[1100, 1450],
         gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=800)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(interval=800))
randomness = dict(seed=0)
