# PSA's schedule (psa_8e.py) for the toy affinity network: 300 iterations
# (12 epochs of the 400 toy train images at batch 16), poly, as the toy IRN
# (irn_toy_300.py).
_base_ = ['./psa_8e.py']

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
max_iters = 300
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
default_hooks = dict(logger=dict(interval=25),
                     checkpoint=dict(interval=max_iters))
randomness = dict(seed=0)
# bfloat16 autocast where the CPU computes it natively (AVX512-BF16 or AMX),
# float32 elsewhere, as the toy LargeFOV
amp = 'auto'
