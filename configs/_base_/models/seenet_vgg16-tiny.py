# SeeNet's VGG16 (seenet_vgg16.py) at toy size: tiny widths, trained from
# scratch (no ImageNet weights) on the synthetic toy set.
_base_ = ['./seenet_vgg16.py']

# the paper config's ImageNet VGG16 (tools/convert_vgg16.py), a variable
# as in seenet_vgg16_1xb16-25k_voc12aug-224x224.py; the tiny net does not
# load it (init_cfg=None below)
pretrained = 'pretrain/vgg16_seenet.pth'
model = dict(
    backbone=dict(
        arch='seenet-os8',  # 112 / 8 = 14: the paper's 14x14 maps at 224/16
        widen_factor=0.25,  # 16..128 channels
        norm_cfg=dict(type='BN'),  # from scratch: BN (not in the paper)
        init_cfg=None),
    in_channels=128,
    branch=dict(
        channels=64,
        norm_cfg=dict(type='BN'),  # from scratch (not in the paper)
        init_cfg=dict(type='Kaiming', layer='Conv2d')))
