# The toy SeeNet from the stand-in with the saliency background loss, an
# option beyond the paper (off in every other config): at feature cells
# whose saliency is below 0.2, S_A's scores of the image's classes go
# towards probability 0 (BCE, weight 1). The saliency map is cropped,
# resized and flipped with the image (CarrySaliency). The _cam, _acol and
# _noflip siblings carry the same loss, so that
# `tools/pipeline.py --compare --attention-config` this file runs every
# mode with it; cam with the loss is the EPS-like baseline.
_base_ = ['./seenet_vgg16-tiny-standin-pre_1xb16-400_toy-112x112.py']

crop_size = 112
model = dict(saliency_loss=dict(low=0.2, weight=1.0, kind='bce',
                                branches=('a', )))
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadSaliencyMap'),  # the saliency folder beside the images
    dict(type='CarrySaliency', transforms=[
        dict(type='mmpretrain.RandomResizedCrop', scale=crop_size,
             crop_ratio_range=(0.4, 1.0)),
        dict(type='RandomFlip', prob=0.5, direction='horizontal')]),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackImageLabelInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
