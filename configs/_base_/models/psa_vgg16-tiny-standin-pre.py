# PSA's affinity network (psa_vgg16.py) at toy size, the backbone fine-tuned
# (PSA) from the toy stand-in for ImageNet weights (`standin://vgg16-tiny`,
# tools/make_standin.py): the toy attention configs' VGG16 x0.25 (output
# stride 8). An embedding of the backbone's last three taps (PSA: VGG16's
# conv4, conv5, fc6; 64 + 128 + 256 -> 448 channels, here a quarter of the
# widths), the affinity of two cells exp(-mean |f_i - f_j|).
_base_ = ['./psa_vgg16.py']

model = dict(
    data_preprocessor=dict(size=(96, 96)),  # the toy crops
    backbone=dict(widen_factor=0.25, norm_cfg=dict(type='BN'),
                  init_cfg=dict(checkpoint='standin://vgg16-tiny')),
    head=dict(in_channels=(64, 128, 128), channels=(16, 32, 64),
              groups=(4, 8, 16)),
    # PSA's grid: stride 8, links of radius 5 in the loss and the walk,
    # beta 8, 256 steps (logt 8); on the toy images' ~20 x 17 cells at
    # stride 8 the same reach takes 32 steps (as the toy IRN config)
    test_cfg=dict(flip=True, radius=5, beta=8, steps=32))
