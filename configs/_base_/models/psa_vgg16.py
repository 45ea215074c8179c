# PSA's affinity network (Ahn & Kwak, CVPR 2018; github.com/jiwoon-ahn/psa,
# network/vgg16_aff.py, infer_aff.py) as AffinityNet with
# affinity='feature': an embedding of VGG16's taps whose L1 distances give
# the affinities, the backbone fine-tuned; links of radius 5 at stride 8;
# the walk: radius 5, beta 8, 256 steps (logt 8). PSA taps conv4, conv5 and
# fc6 (512, 512, 1024 channels); this VGG16 backbone (the paper's, ImageNet
# weights from tools/convert_vgg16.py) ends at conv5, so the taps are conv3,
# conv4 and conv5 (256, 512, 512), each reduced to PSA's 64, 128 and 256.
_base_ = ['./affinity_net.py']

model = dict(
    data_preprocessor=dict(size=(448, 448)),  # PSA's crops
    backbone=dict(
        type='VGG16',
        arch='seenet-os8',
        out_indices=(2, 3, 4),
        init_cfg=dict(type='Pretrained',
                      checkpoint='pretrain/vgg16_seenet.pth',
                      prefix='backbone.')),
    head=dict(type='FeatureAffinityHead',
              in_channels=(256, 512, 512), channels=(64, 128, 256),
              groups=(8, 16, 32)),
    affinity='feature',
    stride=8,
    radius=5,
    frozen=False,
    test_cfg=dict(flip=True, radius=5, beta=8, steps=256))
