# IRN's schedule (irn_3e.py) for the toy affinity network: IRN's lr 0.1 and
# poly on 300 iterations (12 epochs of the 400 toy train images at batch
# 16).
_base_ = ['./irn_3e.py']

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
