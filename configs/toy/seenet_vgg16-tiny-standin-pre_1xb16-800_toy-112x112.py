# The toy SeeNet from the toy stand-in for ImageNet weights, as the paper's
# SeeNet starts from ImageNet: the backbone loads `standin://vgg16-tiny`
# (tools/make_standin.py; the main job makes it first), and, as the paper
# on pretrained weights, the backbone trains at the base lr and the three
# branches (new layers) at 10x. Everything else as the from-scratch
# seenet_vgg16-tiny_1xb16-800_toy-112x112.py, which stays for comparison.
_base_ = ['./seenet_vgg16-tiny_1xb16-800_toy-112x112.py']

model = dict(
    backbone=dict(init_cfg=dict(_delete_=True, type='Pretrained',
                                checkpoint='standin://vgg16-tiny',
                                prefix='backbone.')))
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
default_hooks = dict(checkpoint=dict(interval=200))
