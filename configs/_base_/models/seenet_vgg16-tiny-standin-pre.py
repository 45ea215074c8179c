# The toy SeeNet (seenet_vgg16-tiny.py) from the toy stand-in for ImageNet
# weights, as the paper's SeeNet starts from ImageNet: the backbone loads
# `standin://vgg16-tiny` (tools/make_standin.py; the main job makes it
# first).
_base_ = ['./seenet_vgg16-tiny.py']

model = dict(
    backbone=dict(init_cfg=dict(_delete_=True, type='Pretrained',
                                checkpoint='standin://vgg16-tiny',
                                prefix='backbone.')))
