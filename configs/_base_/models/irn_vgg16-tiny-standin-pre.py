# IRN's affinity network (irn_r50.py) at toy size: the boundary head on the
# frozen backbone of the toy stand-in for ImageNet weights
# (`standin://vgg16-tiny`, tools/make_standin.py), as IRN's head learns on a
# frozen ImageNet backbone. The backbone is the toy attention configs' VGG16
# x0.25 (output stride 8), tapped after each of its 5 stages.
_base_ = ['./irn_r50.py']

model = dict(
    data_preprocessor=dict(size=(96, 96)),  # the toy crops
    backbone=dict(
        _delete_=True,
        type='VGG16',
        arch='seenet-os8',
        widen_factor=0.25,
        norm_cfg=dict(type='BN'),
        out_indices=(0, 1, 2, 3, 4),  # strides 2, 4, 8, 8, 8
        init_cfg=dict(type='Pretrained', checkpoint='standin://vgg16-tiny',
                      prefix='backbone.')),
    head=dict(in_channels=(16, 32, 64, 128, 128)),
    # IRN: links of the loss within 10 cells at stride 4, on 128 x 128-cell
    # crops; the toy crops have 24 x 24 cells, where radius 5 (the walk's)
    # trained 3x faster (150 -> 34 links per cell) and refined no worse
    # (docs/results_toy.md)
    radius=5,
    # the walk of tools/refine_labels.py: IRN's radius 5 and beta 10; its
    # 256 steps reach about a third of a VOC image's 125 x 94 cells, and a
    # walk's reach grows with the root of its steps, so on the toy images'
    # ~40 x 35 cells the same reach takes 256 * (40 / 125)^2 ~ 32 steps
    test_cfg=dict(flip=True, radius=5, beta=10, steps=32))
