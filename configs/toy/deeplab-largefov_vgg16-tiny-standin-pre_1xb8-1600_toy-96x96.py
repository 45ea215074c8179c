# The toy DeepLab-LargeFOV from the toy stand-in for ImageNet weights, as the
# paper's LargeFOV starts from ImageNet: the backbone loads
# `standin://vgg16-tiny` (tools/make_standin.py), trains at the base lr, and
# fc6, fc7, fc8 (new layers: the stand-in has no fc weights) at 10x.
# Training crops are rescaled by 0.6-1.2 (DeepLab v2's random scaling; v1
# has none), so that the multi-scale test (0.75 / 1.0 / 1.25) sees scales it
# was trained on. Everything else as the from-scratch
# deeplab-largefov_vgg16-tiny_1xb8-1600_toy-96x96.py.
_base_ = ['../_base_/models/deeplab_largefov_vgg16-tiny.py',
          '../_base_/datasets/toy_proxy_labels.py',
          '../_base_/schedules/deeplab_largefov_toy_1600.py',
          '../_base_/default_runtime.py']

crop_size = (96, 96)
model = dict(
    backbone=dict(init_cfg=dict(_delete_=True, type='Pretrained',
                                checkpoint='standin://vgg16-tiny',
                                prefix='backbone.')))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    # toy images are 128-192 x 96-160
    dict(type='RandomResize', scale=(192, 160), ratio_range=(0.6, 1.2),
         keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(
    optimizer=dict(lr=2e-3),
    paramwise_cfg=dict(new_modules=('decode_head.fc6', 'decode_head.fc7',
                                    'decode_head.conv_seg')))
# bfloat16 autocast where the CPU computes it natively (AVX512-BF16 or AMX),
# float32 elsewhere: the toy main job's figures were measured both ways and
# agree within their spread over seeds (docs/results_toy.md); --no-amp or
# amp=False runs float32 anywhere
amp = 'auto'
