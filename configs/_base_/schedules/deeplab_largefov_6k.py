# DeepLab v1 (Chen et al., ICLR 2015, Sec. 4): SGD, momentum 0.9, weight
# decay 5e-4, lr 1e-3 (10x for the classifier fc8), x0.1 every 2000
# iterations, 6000 iterations. Per-layer multipliers of its train.prototxt:
# every layer blobs_lr 1, 2 and weight_decay 1, 0 (biases at 2x lr, no
# decay); fc8 blobs_lr 10, 20 and weight_decay 1, 0. Loops and hooks:
# iter_based.py.
_base_ = ['./iter_based.py']

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=5e-4),
    constructor='NewLayersLrConstructor',
    paramwise_cfg=dict(
        new_modules=('decode_head.conv_seg', ),  # fc8; fc6/fc7 pre-trained
        new_lr_mult=10.0,
        new_bias_lr_mult=20.0,
        new_bias_decay_mult=0.0,
        bias_lr_mult=2.0,  # every other bias (backbone, fc6, fc7)
        bias_decay_mult=0.0))
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[2000, 4000],
         gamma=0.1)
]
train_cfg = dict(max_iters=6000, val_interval=2000)
default_hooks = dict(checkpoint=dict(interval=2000),
                     visualization=dict(type='SegVisualizationHook'))
# tools/test.py --crf: keys set here override DeepLab v1's CRF parameters,
# whose one home is seenet_mm.crf.DEEPLAB_CRF (bi_w=4, bi_xy_std=121,
# bi_rgb_std=5, pos_w=3, pos_xy_std=3, iterations=10)
crf_cfg = dict()
