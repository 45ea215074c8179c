# Pretraining of the toy stand-in for ImageNet weights. As ImageNet holds
# VOC's kinds of objects in other pictures, the stand-in's set holds all 20
# toy class styles (the main job's toy set uses 8 of them), in other images
# (another seed) and without class-correlated context: 2,000 images in the
# own-folder format written by tools/make_standin.py, which runs this config
# and keeps the backbone's weights; the *_vgg16-tiny-standin-pre_* toy
# configs load them as `standin://vgg16-tiny`. The model is the toy SeeNet
# in `cam` mode (backbone, S_A, global average pooling), so the dataset,
# the loss and the metric are the package's own.
_base_ = ['../_base_/models/seenet_vgg16-tiny.py',
          '../_base_/datasets/toy_folder_image_labels.py',
          '../_base_/schedules/seenet_toy_800.py',
          '../_base_/default_runtime.py']

data_root = 'data/standin'  # tools/make_standin.py passes its own
model = dict(mode='cam', num_classes=20)
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = [dict(type='MultiLabelMAP')]
test_evaluator = val_evaluator

max_iters = 1000
param_scheduler = [
    dict(type='MultiStepLR', by_epoch=False, milestones=[800], gamma=0.1)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=250))
custom_hooks = []  # no erasing in cam mode, no attention snapshots
randomness = dict(seed=0)
# bfloat16 autocast where the CPU computes it natively (AVX512-BF16 or AMX),
# float32 elsewhere: the toy main job's figures were measured both ways and
# agree within their spread over seeds (docs/results_toy.md); --no-amp or
# amp=False runs float32 anywhere
amp = 'auto'
