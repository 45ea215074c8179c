# IRN's affinity network (Ahn, Cho & Kwak, CVPR 2019; its recipe,
# github.com/jiwoon-ahn/irn, step/train_irn.py): SGD, lr 0.1, poly, weight
# decay 1e-4, 3 epochs of VOC 2012 train_aug at batch 32. Training only
# (no val or test loop; tools/refine_labels.py uses the network): one
# checkpoint at the end. Loops and hooks: iter_based.py.
_base_ = ['./iter_based.py']

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))
# 3 epochs of the 10,582 train_aug images at batch 32
max_iters = 993
param_scheduler = [
    dict(type='PolyLR', eta_min=0, power=0.9, by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters + 1)
val_cfg = None
test_cfg = None
default_hooks = dict(checkpoint=dict(interval=max_iters),
                     visualization=dict(type='SegVisualizationHook'))
# empty, as in deeplab_largefov_6k.py: the key tools/test.py --crf reads
crf_cfg = dict()
