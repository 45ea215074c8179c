# DeepLab-LargeFOV's VGG16 (deeplab_largefov_vgg16.py) at toy size: VGG16
# x0.25 + BN, from scratch, for the toy set's 96x96 crops. The toy keeps its
# former recipe where the VGG configs changed to DeepLab's (none of these
# changes is neutral for training from scratch, each would move the toy
# figures): no pool5a, channel dropout, and in the toy schedule
# (deeplab_largefov_toy_1600.py) biases at the base lr with weight decay.
_base_ = ['./deeplab_largefov_vgg16.py']

norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    data_preprocessor=dict(size=(96, 96)),  # the toy crops
    backbone=dict(widen_factor=0.25, norm_cfg=norm_cfg, init_cfg=None,
                  pool5a=False),  # DeepLab: 3x3 average pool after pool5
    decode_head=dict(
        in_channels=128,
        channels=128,
        # toy feature maps are ~20x15: dilation 12 would see mostly padding
        dilation=4,
        dropout_layer='Dropout2d',  # DeepLab: element-wise 'Dropout'
        init_cfg=[dict(type='Normal', std=0.01,
                       override=dict(name='conv_seg'))]))
