# IRN's affinity network (irn_r50_1xb32-3e_voc12aug-512x512.py) on the
# paper's VGG16 (ImageNet weights, tools/convert_vgg16.py), the backbone of
# SeeNet's VGG16 configs, tapped after each of its 5 stages.
_base_ = ['./irn_r50_1xb32-3e_voc12aug-512x512.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='VGG16',
        arch='seenet-os16',
        out_indices=(0, 1, 2, 3, 4),  # strides 2, 4, 8, 16, 16
        init_cfg=dict(type='Pretrained',
                      checkpoint='pretrain/vgg16_seenet.pth',
                      prefix='backbone.')),
    head=dict(in_channels=(64, 128, 256, 512, 512)))
